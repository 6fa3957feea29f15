import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { KEY_READER_GID } from '../../../src/stack/layout.js';
import { decideCertificatePickup, parseCertificateLoading } from '../../../src/nginx/certificate-pickup.js';

const exec = promisify(execFile);
const ENTRYPOINT = fileURLToPath(new URL('../../../nginx/entrypoint.sh', import.meta.url));

describe('decideCertificatePickup', () => {
  const base = { serial: 'new', configChanged: false, loading: 'cached' as const };

  it('awaits a renewed certificate when nginx reads it at handshakes (no reload, no closed keep-alive connection)', () => {
    expect(decideCertificatePickup({ ...base, served: ['old', 'old'] })).toBe('await');
    expect(decideCertificatePickup({ ...base, loading: 'handshake', served: ['old', 'new'] })).toBe('await');
  });

  it('reloads for a configuration change, the first switch to HTTPS, or an nginx that loads certificates only at reload', () => {
    expect(decideCertificatePickup({ ...base, served: ['new'], configChanged: true })).toBe('reload');
    expect(decideCertificatePickup({ ...base, served: [undefined, 'old'] })).toBe('reload');
    expect(decideCertificatePickup({ ...base, served: ['old'], loading: 'reload' })).toBe('reload');
    expect(decideCertificatePickup({ ...base, served: ['old'], loading: undefined })).toBe('reload');
  });

  it('does nothing when every name already shows the serial', () => {
    expect(decideCertificatePickup({ ...base, served: ['new', 'new'] })).toBe('none');
  });
});

describe('nginx/entrypoint.sh', () => {
  it('reads its loading mode back from the file it writes', () => {
    expect(parseCertificateLoading('# Written by entrypoint.sh for nginx version: nginx/1.30.0: cached\nssl_certificate $x;\n')).toBe(
      'cached',
    );
    expect(parseCertificateLoading('ssl_certificate /a.pem;\n')).toBeUndefined();
  });

  it('uses the same key-reader group as the deploy hook', async () => {
    expect(await readFile(ENTRYPOINT, 'utf8')).toContain(`key_reader_gid=${KEY_READER_GID}\n`);
  });

  it.each([
    ['1.30.0', 'cached'],
    ['1.27.4', 'cached'],
    ['1.27.3', 'handshake'],
    ['1.22.1', 'handshake'],
    ['1.15.9', 'handshake'],
    ['1.14.2', 'reload'],
  ])('nginx %s: %s', async (version, expected) => {
    const bin = await mkdtemp(join(tmpdir(), 'certkit-fake-nginx-'));
    onTestFinished(() => rm(bin, { recursive: true, force: true }));
    await writeFile(join(bin, 'nginx'), `#!/bin/sh\necho "nginx version: nginx/${version} (Debian)" >&2\n`);
    await chmod(join(bin, 'nginx'), 0o755);
    const { stdout } = await exec('sh', [ENTRYPOINT, 'tls'], {
      env: { PATH: `${bin}:${process.env['PATH'] ?? '/usr/bin:/bin'}`, CERTKIT_NGINX_USER: 'nobody' },
    });
    expect(stdout.trim()).toBe(expected);
  });
});

import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCertificateInfo } from '../../../src/certs/read-certificate.js';
import { parseSweepFacts, SWEEP_FACTS_SCRIPT } from '../../../src/store/sweep-facts.js';
import { issueCertificate, type IssuedCertificate } from '../../fixtures/make-certificates.js';

const run = promisify(execFile);

// The script the certbot container runs, run here by this machine's python3 on folders laid out as the store and the
// deploy folder are.
async function sweepFacts(store: string, deploy: string, cache: string, ...names: string[]): Promise<string> {
  const { stdout } = await run('python3', ['-c', SWEEP_FACTS_SCRIPT, store, deploy, cache, ...names]);
  return stdout;
}

describe('SWEEP_FACTS_SCRIPT: what a sweep reads of the certbot container, in one run', { timeout: 30_000 }, () => {
  let root: string;
  let first: IssuedCertificate;
  let second: IssuedCertificate;
  const conf = 'version = 5.5.0\n[renewalparams]\nauthenticator = webroot\n';

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'certkit-sweep-facts-'));
    const now = Date.now();
    const issue = (label: string) =>
      issueCertificate({
        domains: [`${label}.example`],
        notBefore: new Date(now - 86_400_000),
        notAfter: new Date(now + 89 * 86_400_000),
        label,
      });
    [first, second] = await Promise.all([issue('first'), issue('second')]);
    const store = join(root, 'letsencrypt');
    for (const folder of ['live/a', 'live/broken', 'live/dangling', 'live/nocert', 'archive/a', 'renewal'])
      await mkdir(join(store, folder), { recursive: true });
    await writeFile(join(store, 'archive/a/cert1.pem'), first.cert);
    await writeFile(join(store, 'archive/a/privkey1.pem'), first.privkey, { mode: 0o600 });
    await symlink('../../archive/a/cert1.pem', join(store, 'live/a/cert.pem'));
    await symlink('../../archive/a/privkey1.pem', join(store, 'live/a/privkey.pem'));
    await writeFile(join(store, 'renewal/a.conf'), conf);
    await writeFile(join(store, 'live/broken/cert.pem'), 'not a certificate');
    await symlink('../../archive/dangling/cert1.pem', join(store, 'live/dangling/cert.pem'));
    const deploy = join(root, 'deploy');
    for (const folder of ['a', 'old', 'linked', 'junk', 'empty']) await mkdir(join(deploy, folder), { recursive: true });
    // The kit's bundle: the key first, then the full chain.
    await writeFile(join(deploy, 'a/bundle.pem'), `${first.privkey}${first.fullchain}`, { mode: 0o640 });
    await writeFile(join(deploy, 'a/cert.pem'), second.cert);
    await writeFile(join(deploy, 'old/cert.pem'), second.cert);
    await symlink(join(store, 'live/a/cert.pem'), join(deploy, 'linked/cert.pem'));
    await writeFile(join(deploy, 'junk/bundle.pem'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    await writeFile(join(root, 'ari.json'), '{"a":{}}\n');
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads every live certificate (links followed) and renewal conf, and the serial of each deployed copy', async () => {
    const stdout = await sweepFacts(join(root, 'letsencrypt'), join(root, 'deploy'), join(root, 'ari.json'));
    const facts = parseSweepFacts(stdout);
    expect(Object.fromEntries(facts.lineages)).toEqual({
      a: { cert: first.cert, conf },
      broken: { cert: 'not a certificate', conf: undefined },
      dangling: { cert: undefined, conf: undefined },
    });
    // The same serials deployedSerials reads from an archive: bundle.pem's first certificate (past its key), else
    // cert.pem; a cert.pem linking into the store, or a block that is no certificate, is unreadable.
    expect(Object.fromEntries(facts.deployed ?? new Map())).toEqual({
      a: readCertificateInfo(first.cert).serial,
      old: readCertificateInfo(second.cert).serial,
      linked: undefined,
      junk: undefined,
    });
    expect(facts.ariCache).toBe('{"a":{}}\n');
    // No private key leaves the container, though the script reads the bundles that hold them.
    expect(stdout).not.toMatch(/PRIVATE KEY/);
  });

  it('reads only the certificates named after the cache, when names are given (a sweep reading back what it issued)', async () => {
    const facts = parseSweepFacts(await sweepFacts(join(root, 'letsencrypt'), join(root, 'deploy'), '', 'a', 'gone'));
    expect(Object.fromEntries(facts.lineages)).toEqual({ a: { cert: first.cert, conf } });
    expect(Object.fromEntries(facts.deployed ?? new Map())).toEqual({ a: readCertificateInfo(first.cert).serial });
    expect(facts.ariCache).toBeUndefined();
  });

  it('says when there is no deploy folder, no store and no cache', async () => {
    const facts = parseSweepFacts(await sweepFacts(join(root, 'none'), join(root, 'none-deploy'), join(root, 'none.json')));
    expect(facts).toEqual({ lineages: new Map(), deployed: undefined, ariCache: undefined });
  });

  it('holds no backslash (each costs the socket proxy a step of its body match)', () => {
    expect(SWEEP_FACTS_SCRIPT).not.toContain('\\');
  });

  it('refuses output that is not what the script prints', () => {
    expect(() => parseSweepFacts('{"live": []}')).toThrow();
    expect(() => parseSweepFacts('Traceback')).toThrow();
  });
});

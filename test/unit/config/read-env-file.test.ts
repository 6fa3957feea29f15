import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseEnvFile, readEnvFile, unreadableReason } from '../../../src/config/read-env-file.js';

describe('parseEnvFile', () => {
  it('reads values and the line each key is set on', () => {
    const file = parseEnvFile(
      '/srv/app/.env',
      ['# certkit', 'CERTBOT_DOMAIN=example.com', '', 'export CERTBOT_OPTIONS=\'--preferred-chain "ISRG Root X1"\''].join('\n'),
    );
    expect(file).toEqual({
      path: '/srv/app/.env',
      values: { CERTBOT_DOMAIN: 'example.com', CERTBOT_OPTIONS: '--preferred-chain "ISRG Root X1"' },
      lines: { CERTBOT_DOMAIN: 2, CERTBOT_OPTIONS: 4 },
    });
  });

  it('reports the last line for a key set twice, matching the value dotenv keeps', () => {
    const file = parseEnvFile('.env', 'CERTBOT_SERVER=staging\nCERTBOT_SERVER=production\n');
    expect(file.values['CERTBOT_SERVER']).toBe('production');
    expect(file.lines['CERTBOT_SERVER']).toBe(2);
  });

  it('counts lines the same in CRLF files (Windows checkouts)', () => {
    const file = parseEnvFile('.env', 'A=1\r\n\r\nB=2\r\n');
    expect(file.values).toEqual({ A: '1', B: '2' });
    expect(file.lines).toEqual({ A: 1, B: 3 });
  });

  it('does not count commented-out keys', () => {
    expect(parseEnvFile('.env', '# CERTBOT_DOMAIN=old.example.com\nCERTBOT_DOMAIN=example.com\n').lines).toEqual({ CERTBOT_DOMAIN: 2 });
  });
});

describe('readEnvFile', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('reads a file from disk', async () => {
    dir = await mkdtemp(join(tmpdir(), 'certkit-env-'));
    await writeFile(join(dir, '.env'), 'CERTBOT_DOMAIN=example.com\n');
    expect(await readEnvFile(join(dir, '.env'))).toEqual({
      path: join(dir, '.env'),
      values: { CERTBOT_DOMAIN: 'example.com' },
      lines: { CERTBOT_DOMAIN: 1 },
    });
  });

  it('treats a missing file as no file', async () => {
    dir = await mkdtemp(join(tmpdir(), 'certkit-env-'));
    expect(await readEnvFile(join(dir, '.env'))).toBeUndefined();
  });

  it('refuses a folder as a configuration error naming the path, with the cause kept', async () => {
    dir = await mkdtemp(join(tmpdir(), 'certkit-env-'));
    const error = await readEnvFile(dir).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(new RegExp(`^cannot read ${dir}: it is a folder, not a file`)),
      cause: { code: 'EISDIR' },
    });
  });

  it.each([
    ['EACCES', 'permission denied. Make it readable'],
    ['EPERM', 'permission denied.'],
    ['ENOTDIR', 'a part of the path is not a folder'],
    ['ELOOP', 'a symbolic link that loops'],
    ['EIO', 'the system said EIO'],
  ])('explains %s', (code, reason) => {
    expect(unreadableReason(code)).toContain(reason);
  });
});

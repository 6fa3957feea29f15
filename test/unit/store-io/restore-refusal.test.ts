import { describe, expect, it, onTestFinished } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { restoreStore } from '../../../src/store-io/restore-store.js';
import { isCertkitError } from '../../../src/errors.js';
import { RESTORE_LIMITS, type TarLimits } from '../../../src/store/tar-limits.js';
import {
  backupFile,
  CERTBOT,
  EMPTY_STORE,
  expectRefusal,
  fakeEngine,
  tarBuffer,
  VALID,
  type TarEntry,
} from '../support/restore-archives.js';

describe('restoreStore refuses unsafe archives before writing anything', () => {
  it.each([
    ['a parent component', [...VALID, { name: '../evil', type: 'file' }] as TarEntry[], '../evil'],
    ['a parent component inside the store folder', [...VALID, { name: 'letsencrypt/../evil', type: 'file' }] as TarEntry[], '../evil'],
    ['an absolute path', [...VALID, { name: '/etc/passwd', type: 'file', content: 'root::0:0' }] as TarEntry[], '/etc/passwd'],
    [
      'a symlink leaving the store',
      [...VALID.slice(0, 5), { name: 'letsencrypt/live/x/cert.pem', type: 'symlink', linkname: '../../../../etc/shadow' }] as TarEntry[],
      'live/x/cert.pem',
    ],
    [
      'a hardlink to a later entry',
      [
        VALID[0],
        { name: 'letsencrypt/keys/0000_key-certbot.pem', type: 'link', linkname: 'letsencrypt/archive/x/privkey1.pem' },
        ...VALID.slice(1, 6),
      ] as TarEntry[],
      'keys/0000_key-certbot.pem',
    ],
  ])('%s', async (_what, entries, naming) => {
    await expectRefusal(entries, 'ARCHIVE_UNSAFE', naming);
  });

  it.each([
    [
      'a newline in a name',
      [...VALID, { name: 'letsencrypt/renewal/x.conf\nforged line', type: 'file' }] as TarEntry[],
      '"renewal/x.conf\\nforged line"',
    ],
    [
      'a tab in a symlink target',
      [...VALID, { name: 'letsencrypt/live/x/y.pem', type: 'symlink', linkname: 'a\tb' }] as TarEntry[],
      'control character',
    ],
    ['a FIFO', [...VALID, { name: 'letsencrypt/live/x/pipe', type: 'fifo' }] as TarEntry[], 'live/x/pipe: is a FIFO (named pipe)'],
    ['a character device', [...VALID, { name: 'letsencrypt/null', type: 'character-device' }] as TarEntry[], 'null: is a character device'],
    ['a block device', [...VALID, { name: 'letsencrypt/sda', type: 'block-device' }] as TarEntry[], 'sda: is a block device'],
  ])('%s, in words', async (_what, entries, naming) => {
    await expectRefusal(entries, 'ARCHIVE_UNSAFE', naming);
  });

  it('refuses a readable archive that holds no certbot store', async () => {
    await expectRefusal([{ name: 'notes.txt', type: 'file', content: 'hello' }], 'ARCHIVE_UNSAFE', 'holds no certbot store');
  });
});

describe('restoreStore into a store in use', () => {
  const IN_USE: TarEntry[] = [
    ...EMPTY_STORE,
    { name: 'letsencrypt/live/old/cert.pem', type: 'symlink', linkname: '../../archive/old/cert1.pem' },
  ];

  it('refuses with USAGE and writes nothing unless told to overwrite', async () => {
    const { engine, puts } = fakeEngine(IN_USE);
    const error = await restoreStore(engine, CERTBOT, await backupFile(VALID), { overwrite: false }).catch((caught: unknown) => caught);
    expect(isCertkitError(error, 'USAGE')).toBe(true);
    expect((error as Error).message).toContain('live/old/cert.pem');
    expect(puts).toEqual([]);
  });

  it('overwrites when told to', async () => {
    const { engine, puts } = fakeEngine(IN_USE);
    await restoreStore(engine, CERTBOT, await backupFile(VALID), { overwrite: true });
    expect(puts).toHaveLength(1);
  });
});

describe('restoreStore stops reading at the first size limit crossed, before writing anything', () => {
  const small: TarLimits = { maxEntryBytes: 1000, maxTotalBytes: 20_000, maxEntries: 30 };
  const big = (name: string, size: number): TarEntry => ({
    name: `letsencrypt/archive/x/${name}`,
    type: 'file',
    content: 'A'.repeat(size),
  });

  it('an entry larger than a store file can be, named with its size', async () => {
    await expectRefusal(
      [...VALID, big('huge.pem', 5000)],
      'ARCHIVE_UNSAFE',
      '"letsencrypt/archive/x/huge.pem" is 4.9 KiB, over the 1000 bytes',
      small,
    );
  });

  it('entries each within the limit that together unpack past the total', async () => {
    const many = Array.from({ length: 25 }, (_, index) => big(`part${index}.pem`, 999));
    await expectRefusal([...VALID, ...many], 'ARCHIVE_UNSAFE', 'unpacks to more than 19.5 KiB', small);
  });

  it('too many entries', async () => {
    const many = Array.from({ length: 40 }, (_, index): TarEntry => ({ name: `letsencrypt/renewal-hooks/${index}`, type: 'directory' }));
    await expectRefusal([...VALID, ...many], 'ARCHIVE_UNSAFE', 'more than 30 entries', { ...small, maxTotalBytes: 1_000_000 });
  });

  it('zeros after the end of the tar count too (a gzip bomb needs no entry)', async () => {
    const { engine, puts } = fakeEngine(EMPTY_STORE);
    const dir = await mkdtemp(join(tmpdir(), 'certkit-restore-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'bomb.tar.gz');
    await writeFile(file, gzipSync(Buffer.concat([await tarBuffer(VALID), Buffer.alloc(100_000)])));
    const error = await restoreStore(engine, CERTBOT, file, { overwrite: true, limits: small }).catch((caught: unknown) => caught);
    expect((error as Error).message).toContain('unpacks to more than');
    expect(puts).toEqual([]);
  });

  it('the default limits let a real store through and name the flag-free fix', () => {
    expect(RESTORE_LIMITS.maxEntryBytes).toBeGreaterThanOrEqual(1024 * 1024);
    expect(RESTORE_LIMITS.maxTotalBytes).toBeLessThanOrEqual(1024 * 1024 * 1024);
  });
});

describe('restoreStore refuses the shapes of issue 19 before writing anything, even with --force', () => {
  const D = (name: string): TarEntry => ({ name: `letsencrypt/${name}`, type: 'directory' });
  it.each<[string, TarEntry[], string]>([
    [
      'a chain of symlinks whose last target leaves the store',
      [
        { name: 'letsencrypt/live/x/leak.pem', type: 'symlink', linkname: 'hop' },
        { name: 'letsencrypt/live/x/hop', type: 'symlink', linkname: '../hop2' },
        { name: 'letsencrypt/live/hop2', type: 'symlink', linkname: '/etc/hostname' },
      ],
      'live/x/leak.pem: symlink to hop, which resolves outside /etc/letsencrypt (by way of live/x/leak.pem → live/x/hop → live/hop2)',
    ],
    [
      'a symlink to a folder, then .. through it',
      [
        { name: 'letsencrypt/live/x/up', type: 'symlink', linkname: '..' },
        { name: 'letsencrypt/live/x/leak.pem', type: 'symlink', linkname: 'up/../../../etc/hostname' },
      ],
      'live/x/leak.pem',
    ],
    [
      'a hardlink whose target is a folder',
      [{ name: 'letsencrypt/live/x/dir', type: 'link', linkname: 'letsencrypt/archive/x' }],
      'live/x/dir: hardlink to the folder archive/x',
    ],
    ['a 300-byte file name', [{ name: `letsencrypt/archive/x/${'n'.repeat(300)}`, type: 'file' }], 'has a name of 300 bytes'],
    [
      'a 4,200-byte path',
      [{ name: `letsencrypt/archive/${Array.from({ length: 42 }, () => 'd'.repeat(99)).join('/')}`, type: 'file' }],
      'Linux paths hold at most 4095 bytes',
    ],
    [
      'a 5,000-byte symlink target',
      [{ name: 'letsencrypt/live/x/long.pem', type: 'symlink', linkname: 'a/'.repeat(2500) }],
      'live/x/long.pem: is a symlink whose target is 5000 bytes',
    ],
    [
      'a file written through a symlink',
      [
        D('live/y/'),
        { name: 'letsencrypt/live/y/d', type: 'symlink', linkname: '../x' },
        { name: 'letsencrypt/live/y/d/f.pem', type: 'file' },
      ],
      'live/y/d/f.pem: is written through the symlink live/y/d',
    ],
    [
      'a hardlink to a symlink',
      [{ name: 'letsencrypt/keys/k.pem', type: 'link', linkname: 'letsencrypt/live/x/cert.pem' }],
      'keys/k.pem: hardlink to the symlink live/x/cert.pem',
    ],
    [
      'a hardlink named outside the top folder',
      [{ name: 'letsencrypt/keys/k.pem', type: 'link', linkname: 'archive/x/privkey1.pem' }],
      'keys/k.pem: hardlink to archive/x/privkey1.pem, outside the folder',
    ],
  ])('%s', async (_what, extra, naming) => {
    await expectRefusal([...VALID, ...extra], 'ARCHIVE_UNSAFE', naming);
  });

  it('a store in use is not read before the archive is refused: the refusal is the archive, not "the store is not empty"', async () => {
    const { engine, puts } = fakeEngine([...EMPTY_STORE, { name: 'letsencrypt/live/old/cert.pem', type: 'file' }]);
    const error = await restoreStore(
      engine,
      CERTBOT,
      await backupFile([...VALID, { name: `letsencrypt/archive/x/${'n'.repeat(300)}`, type: 'file' }]),
      {
        overwrite: false,
      },
    ).catch((caught: unknown) => caught);
    expect(isCertkitError(error, 'ARCHIVE_UNSAFE')).toBe(true);
    expect(puts).toEqual([]);
  });
});

describe('restoreStore refuses an archive cut short', () => {
  it.each([
    ['inside the gzip stream', (gz: Buffer) => gz.subarray(0, gz.length - 40), 'is not a readable .tar.gz: it is cut short'],
    [
      'at an entry boundary of the tar (gzip intact)',
      (gz: Buffer) => gzipSync(gunzipSync(gz).subarray(0, 1536)),
      'the archive is cut short',
    ],
  ])('%s', async (_what, cut, message) => {
    const { engine, puts, execs } = fakeEngine(EMPTY_STORE);
    const file = await backupFile(VALID);
    await writeFile(file, cut(await readFile(file)));
    const error = await restoreStore(engine, CERTBOT, file, { overwrite: true }).catch((caught: unknown) => caught);
    expect(isCertkitError(error, 'ARCHIVE_UNSAFE')).toBe(true);
    expect((error as Error).message).toContain(message);
    expect(puts).toEqual([]);
    expect(execs).toEqual([]);
  });
});

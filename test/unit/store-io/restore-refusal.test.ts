import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { extract, pack } from 'tar-stream';
import { describe, expect, it, onTestFinished } from 'vitest';
import { restoreStore } from '../../../src/store-io/restore-store.js';
import type { Engine, ServiceContainer } from '../../../src/docker/engine.js';
import { isCertkitError } from '../../../src/errors.js';
import { RESTORE_LIMITS, type TarLimits } from '../../../src/store/tar-limits.js';

type TarEntry = {
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'link' | 'fifo' | 'character-device' | 'block-device';
  linkname?: string;
  content?: string;
  mode?: number;
};

async function tarBuffer(entries: readonly TarEntry[]): Promise<Buffer> {
  const tar = pack();
  for (const { content, ...header } of entries)
    tar.entry({ mode: header.type === 'directory' ? 0o755 : 0o644, ...header }, Buffer.from(content ?? ''));
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of tar as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function untar(buffer: Buffer): Promise<Array<{ name: string; type: string; linkname: string | null | undefined; content: string }>> {
  const entries = [];
  const tar = extract();
  Readable.from([buffer]).pipe(tar);
  for await (const stream of tar) {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    entries.push({
      name: stream.header.name,
      type: stream.header.type ?? 'file',
      linkname: stream.header.linkname,
      content: Buffer.concat(chunks).toString('utf8'),
    });
  }
  return entries;
}

/** A backup file as `certkit backup` writes it: Docker's archive of /etc/letsencrypt, gzipped. */
async function backupFile(entries: readonly TarEntry[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'certkit-restore-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'backup.tar.gz');
  await writeFile(file, gzipSync(await tarBuffer(entries)));
  return file;
}

const CERTBOT: ServiceContainer = {
  id: 'c0ffee',
  name: 'ck-certbot-1',
  project: 'ck',
  service: 'certbot',
  running: true,
  state: 'running',
  networks: {},
  ports: [],
  labels: {},
};

/**
 * Only the calls restore needs; anything else is a test failure. `current` is what getArchive returns; `failPut`
 * makes putArchive fail after reading that many bytes (the engine failing, a full disk); execs are recorded.
 */
function fakeEngine(current: readonly TarEntry[], options: { failPut?: number; failExec?: string } = {}) {
  const puts: Array<{ path: string; tar: Buffer }> = [];
  const execs: string[][] = [];
  const unused = (): never => {
    throw new Error('restore must not call this');
  };
  const engine: Engine = {
    endpoint: 'fake://',
    ping: unused,
    listContainers: unused,
    inspectContainer: unused,
    exec: async (_id, argv) => {
      execs.push([...argv]);
      const failed = options.failExec !== undefined && argv.includes(options.failExec);
      return { exitCode: failed ? 1 : 0, stdout: '', stderr: failed ? 'OSError: [Errno 5] Input/output error' : '' };
    },
    execHeld: unused,
    signal: unused,
    getArchive: async () => Readable.from([await tarBuffer(current)]),
    putArchive: async (_id, path, tar) => {
      const chunks: Buffer[] = [];
      if (Buffer.isBuffer(tar)) chunks.push(tar);
      else
        for await (const chunk of tar as AsyncIterable<Buffer>) {
          chunks.push(chunk);
          if (options.failPut !== undefined && Buffer.concat(chunks).length >= options.failPut)
            throw new Error('(HTTP code 500) server error - no space left on device');
        }
      puts.push({ path, tar: Buffer.concat(chunks) });
    },
  };
  return { engine, puts, execs };
}

const EMPTY_STORE: TarEntry[] = [
  { name: 'letsencrypt/', type: 'directory' },
  { name: 'letsencrypt/live/', type: 'directory' },
];
const VALID: TarEntry[] = [
  { name: 'letsencrypt/', type: 'directory' },
  { name: 'letsencrypt/archive/x/', type: 'directory' },
  { name: 'letsencrypt/archive/x/cert1.pem', type: 'file', content: 'CERT' },
  { name: 'letsencrypt/archive/x/privkey1.pem', type: 'file', content: 'KEY', mode: 0o600 },
  { name: 'letsencrypt/live/x/', type: 'directory' },
  { name: 'letsencrypt/live/x/cert.pem', type: 'symlink', linkname: '../../archive/x/cert1.pem' },
  // Older certbot keeps every key twice: keys/ holds a hardlink to the archived key.
  { name: 'letsencrypt/keys/0000_key-certbot.pem', type: 'link', linkname: 'letsencrypt/archive/x/privkey1.pem' },
  { name: 'letsencrypt/renewal/x.conf', type: 'file', content: 'version = 2.1.0\n' },
];

async function expectRefusal(entries: TarEntry[], code: string, naming: string, limits?: TarLimits): Promise<void> {
  const { engine, puts, execs } = fakeEngine(EMPTY_STORE);
  const file = await backupFile(entries);
  const error = await restoreStore(engine, CERTBOT, file, limits ? { overwrite: true, limits } : { overwrite: true }).catch(
    (caught: unknown) => caught,
  );
  expect(isCertkitError(error) && error.code).toBe(code);
  expect((error as Error).message).toContain(naming);
  expect(puts).toEqual([]);
  expect(execs).toEqual([]);
}

/** The staged names restore wrote, the staging folder stripped; the staging folder itself must come first. */
async function stagedEntries(put: { tar: Buffer } | undefined) {
  const written = await untar(put?.tar ?? Buffer.alloc(0));
  const stage = written[0]?.name.replace(/\/$/, '') ?? '';
  expect(stage).toMatch(/^\.certkit-restore-[0-9a-f]{12}$/);
  expect(written[0]?.type).toBe('directory');
  return written.slice(1).map((entry) => ({
    ...entry,
    name: entry.name.slice(stage.length + 1),
    linkname: entry.type === 'link' ? (entry.linkname ?? '').slice(stage.length + 1) : entry.linkname,
  }));
}

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

describe('restoreStore into an empty store', () => {
  it('stages one archive in /etc/letsencrypt, names stripped of letsencrypt/, hardlinks after their targets, then swaps it in', async () => {
    const { engine, puts, execs } = fakeEngine(EMPTY_STORE);
    expect(await restoreStore(engine, CERTBOT, await backupFile(VALID), { overwrite: false })).toEqual({ entries: 7, lineages: 1 });
    expect(puts.map((put) => put.path)).toEqual(['/etc/letsencrypt']);
    const written = await stagedEntries(puts[0]);
    const stage = (await untar(puts[0]?.tar ?? Buffer.alloc(0)))[0]?.name.replace(/\/$/, '');
    expect(execs).toEqual([
      ['python3', '-c', expect.any(String), 'swap', '/etc/letsencrypt', stage, expect.stringMatching(/^\.certkit-replaced-/)],
    ]);
    expect(written.map((entry) => entry.name.replace(/\/$/, ''))).toEqual(
      VALID.slice(1).map((entry) => entry.name.replace(/^letsencrypt\//, '').replace(/\/$/, '')),
    );
    expect(written.find((entry) => entry.name === 'live/x/cert.pem')).toMatchObject({
      type: 'symlink',
      linkname: '../../archive/x/cert1.pem',
    });
    expect(written.find((entry) => entry.name === 'archive/x/privkey1.pem')?.content).toBe('KEY');
    const names = written.map((entry) => entry.name);
    for (const [index, entry] of written.entries()) {
      if (entry.type !== 'link') continue;
      expect(entry.linkname).toBe('archive/x/privkey1.pem');
      expect(names.indexOf(entry.linkname ?? '')).toBeLessThan(index);
    }
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

describe('restoreStore takes names as the archive means them', () => {
  it('a name over 100 bytes (a PAX path record) is written under its store path, not under letsencrypt/ again', async () => {
    const long = `archive/${'a'.repeat(120)}/cert1.pem`;
    const { engine, puts } = fakeEngine(EMPTY_STORE);
    const file = await backupFile([...VALID, { name: `letsencrypt/${long}`, type: 'file', content: 'LONG' }]);
    await restoreStore(engine, CERTBOT, file, { overwrite: false });
    const written = await stagedEntries(puts[0]);
    expect(written.find((entry) => entry.content === 'LONG')?.name).toBe(long);
    expect(written.map((entry) => entry.name).filter((name) => name.startsWith('letsencrypt'))).toEqual([]);
  });

  it('entries named ./live/… (tar -C /etc/letsencrypt .) and a folder wrapping them without its own entry', async () => {
    const { engine, puts } = fakeEngine(EMPTY_STORE);
    const dotted = VALID.slice(1).map((entry) => ({
      ...entry,
      name: entry.name.replace(/^letsencrypt\//, './'),
      ...(entry.type === 'link' ? { linkname: (entry.linkname ?? '').replace(/^letsencrypt\//, './') } : {}),
    }));
    await restoreStore(engine, CERTBOT, await backupFile([{ name: './', type: 'directory' }, ...dotted]), { overwrite: false });
    expect((await stagedEntries(puts[0])).map((entry) => entry.name.replace(/\/$/, ''))).toContain('live/x/cert.pem');
    const wrapped = fakeEngine(EMPTY_STORE);
    await restoreStore(wrapped.engine, CERTBOT, await backupFile(VALID.slice(1)), { overwrite: false });
    expect((await stagedEntries(wrapped.puts[0])).map((entry) => entry.name)).toContain('renewal/x.conf');
  });

  it('entries of `tar czf b.tgz /etc/letsencrypt` (etc/letsencrypt/…, with an etc/ folder entry) land in the store', async () => {
    const { engine, puts } = fakeEngine(EMPTY_STORE);
    const nested = VALID.map((entry) => ({
      ...entry,
      name: `etc/${entry.name}`,
      ...(entry.type === 'link' ? { linkname: `etc/${entry.linkname ?? ''}` } : {}),
    }));
    await restoreStore(engine, CERTBOT, await backupFile([{ name: 'etc/', type: 'directory' }, ...nested]), { overwrite: false });
    const names = (await stagedEntries(puts[0])).map((entry) => entry.name.replace(/\/$/, ''));
    expect(names).toEqual(VALID.slice(1).map((entry) => entry.name.replace(/^letsencrypt\//, '').replace(/\/$/, '')));
  });

  it('a path given twice is written once, as its last entry says', async () => {
    const { engine, puts } = fakeEngine(EMPTY_STORE);
    await restoreStore(
      engine,
      CERTBOT,
      await backupFile([...VALID, { name: 'letsencrypt/renewal/x.conf', type: 'file', content: 'version = 5.5.0\n' }]),
      {
        overwrite: false,
      },
    );
    const confs = (await stagedEntries(puts[0])).filter((entry) => entry.name === 'renewal/x.conf');
    expect(confs.map((entry) => entry.content)).toEqual(['version = 5.5.0\n']);
  });
});

describe('restoreStore is all or nothing', () => {
  it('a write that fails half-way (the engine, a full disk) removes the staged copy and never swaps', async () => {
    const { engine, execs } = fakeEngine(EMPTY_STORE, { failPut: 2048 });
    const error = await restoreStore(engine, CERTBOT, await backupFile(VALID), { overwrite: true }).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(
      /restore failed while writing the backup into ck-certbot-1 \(.*no space left on device\); the store was left as it was/,
    );
    expect(execs.map((argv) => argv[3])).toEqual(['discard']);
    expect(execs[0]?.[5]).toMatch(/^\.certkit-restore-[0-9a-f]{12}$/);
  });

  it('a staged copy that cannot be removed is named, so it can be removed by hand', async () => {
    const { engine } = fakeEngine(EMPTY_STORE, { failPut: 2048, failExec: 'discard' });
    const error = await restoreStore(engine, CERTBOT, await backupFile(VALID), { overwrite: true }).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(
      /Remove the half-written copy by hand: \/etc\/letsencrypt\/\.certkit-restore-[0-9a-f]{12} \(OSError/,
    );
  });

  it('a swap that fails says so', async () => {
    const { engine } = fakeEngine(EMPTY_STORE, { failExec: 'swap' });
    const error = await restoreStore(engine, CERTBOT, await backupFile(VALID), { overwrite: true }).catch((caught: unknown) => caught);
    expect((error as Error).message).toContain('could not put it in place: OSError: [Errno 5] Input/output error');
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

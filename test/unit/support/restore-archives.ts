import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { extract, pack } from 'tar-stream';
import { expect, onTestFinished } from 'vitest';
import type { Engine, ServiceContainer } from '../../../src/docker/engine.js';
import { isCertkitError } from '../../../src/errors.js';
import { restoreStore } from '../../../src/store-io/restore-store.js';
import type { TarLimits } from '../../../src/store/tar-limits.js';

// Archives built in the test, and an Engine with only the calls restore makes, for the restore unit tests.

export type TarEntry = {
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'link' | 'fifo' | 'character-device' | 'block-device';
  linkname?: string;
  content?: string;
  mode?: number;
};

export async function tarBuffer(entries: readonly TarEntry[]): Promise<Buffer> {
  const tar = pack();
  for (const { content, ...header } of entries)
    tar.entry({ mode: header.type === 'directory' ? 0o755 : 0o644, ...header }, Buffer.from(content ?? ''));
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of tar as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

export async function untar(
  buffer: Buffer,
): Promise<Array<{ name: string; type: string; linkname: string | null | undefined; content: string }>> {
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
export async function backupFile(entries: readonly TarEntry[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'certkit-restore-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'backup.tar.gz');
  await writeFile(file, gzipSync(await tarBuffer(entries)));
  return file;
}

export const CERTBOT: ServiceContainer = {
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
export function fakeEngine(current: readonly TarEntry[], options: { failPut?: number; failExec?: string } = {}) {
  const puts: Array<{ path: string; tar: Buffer }> = [];
  const execs: string[][] = [];
  const unused = (): never => {
    throw new Error('restore must not call this');
  };
  const engine: Engine = {
    endpoint: 'fake://',
    ping: unused,
    listContainers: unused,
    listLabelled: unused,
    watchContainerEvents: unused,
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

export const EMPTY_STORE: TarEntry[] = [
  { name: 'letsencrypt/', type: 'directory' },
  { name: 'letsencrypt/live/', type: 'directory' },
];
export const VALID: TarEntry[] = [
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

export async function expectRefusal(entries: TarEntry[], code: string, naming: string, limits?: TarLimits): Promise<void> {
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
export async function stagedEntries(put: { tar: Buffer } | undefined) {
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

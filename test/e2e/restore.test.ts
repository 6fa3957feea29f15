import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { extract, pack, type Header } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { StatusEntry } from '../../src/store/status-entries.js';
import { probeCertificate } from './support/tls.js';
import { TestStack } from './support/stack.js';
import { waitUntil } from './support/wait.js';

const dockerMissing = inject('dockerMissing');

/** The store on a 4 MiB tmpfs volume: room for a store and its staged copy, not for a backup padded past it. */
const SMALL_STORE = `volumes:
  certbot-conf:
    driver_opts:
      type: tmpfs
      device: tmpfs
      o: size=4m
`;

type Entry = { header: Partial<Header> & { name: string }; content?: Buffer };

// `certkit restore` against hostile archives and archives of other tools, on a real certbot container: every refusal
// comes before anything is written (with --force too), a write that fails half-way leaves the store as it was, and
// certkit's own backups still restore. One stack, in order.
describe.skipIf(dockerMissing !== '')('restore: refusals before any write, all or nothing, backups that round-trip', () => {
  let stack: TestStack;
  let name: string;
  let backup: string;

  beforeAll(async () => {
    stack = await TestStack.create({ composeFiles: ['docker-compose.yaml', 'compose.small-store.yaml'] });
    await writeFile(join(stack.dir, 'compose.small-store.yaml'), SMALL_STORE);
    name = stack.names[0] as string;
    await stack.up();
    await waitUntil('HTTPS to be served', async () => probeCertificate(stack.httpsPort, name).catch(() => undefined), {
      timeoutMs: 90_000,
      intervalMs: 1_000,
    });
    await waitUntil(
      'the daemon to finish its first check',
      async () => ((await stack.compose(['logs', '--no-color', 'certkit'])).stdout.includes('next check at') ? true : undefined),
      { timeoutMs: 60_000 },
    );
    backup = join(stack.dir, 'backup.tar.gz');
    const written = await stack.certkit(['backup', '-o', backup]);
    expect(written.code, written.stderr).toBe(0);
  });
  afterAll(async () => {
    if (stack) await stack.destroy();
  });

  /** Every name in the store, every link's text and every file's checksum: what "left as it was" means. */
  const storeState = async () => {
    const script = [
      'cd /etc/letsencrypt',
      'find . | sort',
      'find . -type l | sort | while read -r link; do echo "$link -> $(readlink "$link")"; done',
      'find . -type f | sort | while read -r file; do md5sum "$file"; done',
    ].join(' && ');
    const result = await stack.exec('certbot', ['sh', '-c', script]);
    expect(result.code, result.stderr).toBe(0);
    return result.stdout;
  };

  const restoreRefused = async (file: string, naming: readonly string[]) => {
    const before = await storeState();
    const result = await stack.certkit(['restore', file, '--force']);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    for (const text of naming) expect(result.stderr).toContain(text);
    expect(result.stderr).toContain('nothing was written');
    expect(await storeState()).toBe(before);
  };

  it('refuses, with --force, a backup holding the shapes of issue 19, naming each entry, and writes nothing', async () => {
    const file = join(stack.dir, 'hostile.tar.gz');
    const live = `letsencrypt/live/${name}`;
    await writeFile(
      file,
      gzipSync(
        await withEntries(await readFile(backup), [
          { header: { name: `${live}/leak.pem`, type: 'symlink', linkname: 'hop1' } },
          { header: { name: `${live}/hop1`, type: 'symlink', linkname: '../hop2' } },
          { header: { name: 'letsencrypt/live/hop2', type: 'symlink', linkname: '/etc/hostname' } },
          { header: { name: `${live}/up`, type: 'symlink', linkname: '..' } },
          { header: { name: `${live}/lexical.pem`, type: 'symlink', linkname: 'up/../../../etc/hostname' } },
          { header: { name: 'letsencrypt/keys/folder.pem', type: 'link', linkname: `letsencrypt/archive/${name}` } },
          { header: { name: `letsencrypt/keys/${'n'.repeat(300)}` }, content: Buffer.from('x') },
          { header: { name: `letsencrypt/keys/${Array.from({ length: 42 }, () => 'd'.repeat(99)).join('/')}` }, content: Buffer.from('x') },
          { header: { name: 'letsencrypt/keys/long-link.pem', type: 'symlink', linkname: 'a/'.repeat(2500) } },
        ]),
      ),
    );
    await restoreRefused(file, [
      `live/${name}/leak.pem: symlink to hop1, which resolves outside /etc/letsencrypt (by way of live/${name}/leak.pem → live/${name}/hop1 → live/hop2)`,
      `live/${name}/lexical.pem: symlink to up/../../../etc/hostname, which resolves outside /etc/letsencrypt`,
      `keys/folder.pem: hardlink to the folder archive/${name}; Linux does not hardlink folders`,
      'has a name of 300 bytes',
      'Linux paths hold at most 4095 bytes (PATH_MAX)',
      'keys/long-link.pem: is a symlink whose target is 5000 bytes',
    ]);
  });

  it('refuses a file written through a symlink to a folder, and a hardlink to a symlink', async () => {
    const file = join(stack.dir, 'through.tar.gz');
    await writeFile(
      file,
      gzipSync(
        await withEntries(await readFile(backup), [
          { header: { name: 'letsencrypt/live/elsewhere', type: 'symlink', linkname: '../archive' } },
          { header: { name: 'letsencrypt/live/elsewhere/planted.pem' }, content: Buffer.from('x') },
          { header: { name: 'letsencrypt/keys/cert.pem', type: 'link', linkname: `letsencrypt/live/${name}/cert.pem` } },
        ]),
      ),
    );
    await restoreRefused(file, [
      'live/elsewhere/planted.pem: is written through the symlink live/elsewhere',
      `keys/cert.pem: hardlink to the symlink live/${name}/cert.pem`,
    ]);
  });

  it('refuses an archive cut short and one with a second archive appended', async () => {
    const tar = gunzipSync(await readFile(backup));
    const cut = join(stack.dir, 'cut.tar.gz');
    await writeFile(cut, gzipSync(tar.subarray(0, Math.floor(tar.length / 2 / 512) * 512)));
    await restoreRefused(cut, ['the archive is cut short']);
    const appended = join(stack.dir, 'appended.tar.gz');
    await writeFile(appended, gzipSync(Buffer.concat([tar, await withEntries(tar, [])])));
    await restoreRefused(appended, ['more entries after the end-of-archive marker']);
  });

  it('a write that fails half-way (the store volume is full) leaves the store as it was, with no staged copy', async () => {
    const file = join(stack.dir, 'too-big.tar.gz');
    // Six files within the 1 MiB limit, of random bytes (gzip cannot shrink them): more than the 4 MiB volume holds.
    const bulk = Array.from({ length: 6 }, (_, index): Entry => ({
      header: { name: `letsencrypt/keys/bulk-${index}.pem` },
      content: randomBytes(900 * 1024),
    }));
    await writeFile(file, gzipSync(await withEntries(await readFile(backup), bulk)));
    const before = await storeState();
    const result = await stack.certkit(['restore', file, '--force']);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stderr).toMatch(/restore failed while writing the backup into .*; the store was left as it was\./);
    expect(result.stderr).not.toContain('by hand');
    expect(await storeState()).toBe(before);
    const status = await stack.certkit(['status']);
    expect(status.code, status.stdout + status.stderr).toBe(0);
  });

  it('a backup of another tool (a PAX path record for a name over 100 bytes) restores each entry to its own place', async () => {
    const file = join(stack.dir, 'pax.tar.gz');
    const long = `keys/${'k'.repeat(120)}_key-certbot.pem`;
    await writeFile(
      file,
      gzipSync(
        await withEntries(await readFile(backup), [
          { header: { name: `letsencrypt/${long}`, mode: 0o600 }, content: Buffer.from('KEY\n') },
        ]),
      ),
    );
    const result = await stack.certkit(['restore', file, '--force']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect((await stack.exec('certbot', ['cat', `/etc/letsencrypt/${long}`])).stdout).toBe('KEY\n');
    expect(await stack.listDir('certbot', '/etc/letsencrypt')).not.toContain('letsencrypt');
  });

  it("certkit's own backup replaces the store with --force (a renewal made since is gone), status is clean and renewal works", async () => {
    const status = async () => JSON.parse((await stack.certkit(['status', '--json'])).stdout) as StatusEntry[];
    const versions = (await status()).find((entry) => entry.name === name)?.versions;
    expect((await stack.certkit(['update', '--force'])).code).toBe(0);
    expect((await status()).find((entry) => entry.name === name)?.versions).toBe((versions ?? 0) + 1);

    const restored = await stack.certkit(['restore', backup, '--force']);
    expect(restored.code, restored.stdout + restored.stderr).toBe(0);
    expect((await status()).find((entry) => entry.name === name)?.versions).toBe(versions);
    const names = await stack.listDir('certbot', '/etc/letsencrypt');
    expect(names.filter((entry) => entry.startsWith('.certkit-'))).toEqual([]);
    expect((await stack.exec('certbot', ['cat', `/etc/letsencrypt/keys/${'k'.repeat(120)}_key-certbot.pem`])).code).not.toBe(0);

    const renewed = await stack.certkit(['update', '--force']);
    expect(renewed.code, renewed.stderr).toBe(0);
    const final = await stack.certkit(['status']);
    expect(final.code, final.stdout + final.stderr).toBe(0);
  });
});

/** The backup's tar (gzipped or not) with these entries added at its end, as another tool could write them. */
async function withEntries(archive: Buffer, extra: readonly Entry[]): Promise<Buffer> {
  const tar = archive[0] === 0x1f && archive[1] === 0x8b ? gunzipSync(archive) : archive;
  const entries: Entry[] = [];
  const reader = extract();
  Readable.from([tar]).pipe(reader);
  for await (const stream of reader) {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const { name, type, mode, uid, gid, mtime, linkname } = stream.header;
    entries.push({ header: { name, type, mode, uid, gid, mtime, ...(linkname ? { linkname } : {}) }, content: Buffer.concat(chunks) });
  }
  const writer = pack();
  const chunks: Buffer[] = [];
  writer.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const ended = new Promise<void>((resolve) => writer.on('end', () => resolve()));
  for (const entry of [...entries, ...extra]) {
    const content = entry.header.type === undefined || entry.header.type === 'file' ? (entry.content ?? Buffer.alloc(0)) : Buffer.alloc(0);
    await new Promise<void>((resolve, reject) =>
      writer.entry({ mode: 0o644, ...entry.header }, content, (error) => (error ? reject(error) : resolve())),
    );
  }
  writer.finalize();
  await ended;
  return Buffer.concat(chunks);
}

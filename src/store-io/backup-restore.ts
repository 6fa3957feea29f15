import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';

import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { pack, type Header as Headers } from 'tar-stream';
import { CONTAINER_PATHS } from '../stack/layout.js';
import type { Engine, ServiceContainer } from '../docker/engine.js';
import { CertkitError } from '../errors.js';
import { assertArchiveSafe } from '../store/archive-safety.js';
import { readTarItems, readTarSnapshot, tarEntryType, type TarItem } from '../store/read-tar-snapshot.js';

/** Folders whose presence means the store is in use and a restore would overwrite something. */
const STORE_CONTENT = /^(live|archive|renewal|accounts)\/./;

/**
 * `certkit backup`: the whole store as a .tar.gz, read through the Docker archive API (symlinks, hardlinks, modes and
 * owners as tar keeps them). Written 0600 beside the target and renamed into place, so a half-written backup never
 * carries the final name. Returns how many entries and certificates it holds.
 */
export async function backupStore(engine: Engine, certbot: ServiceContainer, file: string): Promise<{ entries: number; lineages: number }> {
  const temp = `${file}.partial-${process.pid}`;
  try {
    await pipeline(
      await engine.getArchive(certbot.id, CONTAINER_PATHS.letsencrypt),
      createGzip(),
      createWriteStream(temp, { mode: 0o600 }),
    );
    const snapshot = await readTarSnapshot(createReadStream(temp).pipe(createGunzip()));
    await rename(temp, file);
    const lineages = [...snapshot.keys()].filter((path) => /^renewal\/[^/]+\.conf$/.test(path)).length;
    return { entries: snapshot.size, lineages };
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * `certkit restore FILE`: checks every entry before anything is written (no absolute path, no `..`, no link leaving
 * the store, hardlinks only to earlier entries), refuses to overwrite a store in use unless `overwrite`, then hands the
 * entries to Docker in archive order so each hardlink's target exists before the link.
 */
export async function restoreStore(
  engine: Engine,
  certbot: ServiceContainer,
  file: string,
  options: { overwrite: boolean },
): Promise<{ entries: number; lineages: number }> {
  const kept = await readArchive(file);
  assertArchiveSafe(kept.map((item) => ({ path: item.path, type: tarEntryType(item.header.type), linkTarget: item.linkTarget })));
  if (!kept.some((item) => STORE_CONTENT.test(item.path))) {
    throw new CertkitError(
      'ARCHIVE_UNSAFE',
      `${file} holds no certbot store (no live/, archive/, renewal/ or accounts/ entries); nothing was written.`,
    );
  }
  if (!options.overwrite) {
    const current = await readTarSnapshot(await engine.getArchive(certbot.id, CONTAINER_PATHS.letsencrypt));
    const inUse = [...current.keys()].filter((path) => STORE_CONTENT.test(path));
    if (inUse.length > 0) {
      throw new CertkitError(
        'USAGE',
        `the store in ${certbot.name} is not empty (${inUse.length} entries such as ${inUse[0]}); nothing was written. Back it up first (\`certkit backup\`), then restore with --force to overwrite.`,
      );
    }
  }
  await engine.putArchive(certbot.id, CONTAINER_PATHS.letsencrypt, await repack(kept));
  return { entries: kept.length, lineages: kept.filter((item) => /^renewal\/[^/]+\.conf$/.test(item.path)).length };
}

async function readArchive(file: string): Promise<TarItem[]> {
  try {
    return await readTarItems(createReadStream(file).pipe(createGunzip()), { keepContent: (header) => header.type === 'file' });
  } catch (error) {
    throw new CertkitError('ARCHIVE_UNSAFE', `${file} is not a readable .tar.gz (${(error as Error).message}); nothing was written.`, {
      cause: error,
    });
  }
}

export async function repack(items: readonly TarItem[]): Promise<Buffer> {
  const tar = pack();
  const chunks: Buffer[] = [];
  const collected = new Promise<Buffer>((resolve, reject) => {
    tar.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
    tar.on('end', () => resolve(Buffer.concat(chunks)));
    tar.on('error', reject);
  });
  for (const item of items) {
    const header: Headers = { ...item.header, name: item.path };
    if (item.header.type === 'link' && item.linkTarget !== undefined) header.linkname = item.linkTarget;
    const content = item.header.type === 'file' ? (item.content ?? Buffer.alloc(0)) : Buffer.alloc(0);
    await new Promise<void>((resolve, reject) => tar.entry(header, content, (error) => (error ? reject(error) : resolve())));
  }
  tar.finalize();
  return collected;
}

import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';

import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { extract, pack, type Header as Headers } from 'tar-stream';
import { CONTAINER_PATHS } from '../stack/layout.js';
import type { Engine, ServiceContainer } from '../docker/engine.js';
import { CertkitError } from '../errors.js';
import { assertArchiveSafe } from '../store/archive-safety.js';
import { readTarSnapshot, tarEntryType } from '../store/read-tar-snapshot.js';

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
    await pipeline(await engine.getArchive(certbot.id, CONTAINER_PATHS.letsencrypt), createGzip(), createWriteStream(temp, { mode: 0o600 }));
    const snapshot = await readTarSnapshot(createReadStream(temp).pipe(createGunzip()));
    await rename(temp, file);
    const lineages = [...snapshot.keys()].filter((path) => /^renewal\/[^/]+\.conf$/.test(path)).length;
    return { entries: snapshot.size, lineages };
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

interface ArchiveItem {
  header: Headers;
  content: Buffer;
}

/**
 * `certkit restore FILE`: checks every entry before anything is written (no absolute path, no `..`, no link leaving
 * the store, hardlinks only to earlier entries), refuses to overwrite a store in use unless `overwrite`, then hands the
 * entries to Docker in archive order so each hardlink's target exists before the link.
 */
export async function restoreStore(engine: Engine, certbot: ServiceContainer, file: string, options: { overwrite: boolean }): Promise<{ entries: number; lineages: number }> {
  const items = await readArchive(file);
  const prefix = commonFolder(items);
  const strip = (name: string): string => {
    const trimmed = name.replace(/^\.\//, '').replace(/\/+$/, '');
    return prefix && trimmed.startsWith(`${prefix}/`) ? trimmed.slice(prefix.length + 1) : prefix && trimmed === prefix ? '' : trimmed;
  };
  const kept = items
    .map((item) => ({ ...item, name: strip(item.header.name) }))
    .filter((item) => item.name !== '');
  assertArchiveSafe(
    kept.map((item) => ({
      path: item.name,
      type: tarEntryType(item.header.type),
      linkTarget: item.header.type === 'link' ? strip(item.header.linkname ?? '') : item.header.linkname ?? undefined,
    })),
  );
  if (!kept.some((item) => STORE_CONTENT.test(item.name))) {
    throw new CertkitError('ARCHIVE_UNSAFE', `${file} holds no certbot store (no live/, archive/, renewal/ or accounts/ entries); nothing was written.`);
  }
  if (!options.overwrite) {
    const current = await readTarSnapshot(await engine.getArchive(certbot.id, CONTAINER_PATHS.letsencrypt));
    const inUse = [...current.keys()].filter((path) => STORE_CONTENT.test(path));
    if (inUse.length > 0) {
      throw new CertkitError('USAGE', `the store in ${certbot.name} is not empty (${inUse.length} entries such as ${inUse[0]}); nothing was written. Back it up first (\`certkit backup\`), then restore with --force to overwrite.`);
    }
  }
  await engine.putArchive(certbot.id, CONTAINER_PATHS.letsencrypt, await repack(kept, strip));
  return { entries: kept.length, lineages: kept.filter((item) => /^renewal\/[^/]+\.conf$/.test(item.name)).length };
}

async function readArchive(file: string): Promise<ArchiveItem[]> {
  const items: ArchiveItem[] = [];
  const tar = extract();
  const done = new Promise<void>((resolve, reject) => {
    tar.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
      stream.on('end', () => {
        items.push({ header, content: Buffer.concat(chunks) });
        next();
      });
      stream.on('error', reject);
    });
    tar.on('finish', resolve);
    tar.on('error', reject);
  });
  try {
    await pipeline(createReadStream(file), createGunzip(), tar);
  } catch (error) {
    throw new CertkitError('ARCHIVE_UNSAFE', `${file} is not a readable .tar.gz (${(error as Error).message}); nothing was written.`, { cause: error });
  }
  await done;
  return items;
}

/** Docker's getArchive puts the folder's own name (letsencrypt/) in front of every entry. */
function commonFolder(items: readonly ArchiveItem[]): string | undefined {
  const firsts = new Set(items.map((item) => item.header.name.replace(/^\.\//, '').split('/')[0]));
  const [only] = [...firsts];
  return firsts.size === 1 && only && !STORE_CONTENT.test(`${only}/x`) ? only : undefined;
}

async function repack(items: ReadonlyArray<ArchiveItem & { name: string }>, strip: (name: string) => string): Promise<Buffer> {
  const tar = pack();
  const chunks: Buffer[] = [];
  const collected = new Promise<Buffer>((resolve, reject) => {
    tar.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
    tar.on('end', () => resolve(Buffer.concat(chunks)));
    tar.on('error', reject);
  });
  for (const item of items) {
    const header: Headers = { ...item.header, name: item.name };
    if (item.header.type === 'link' && item.header.linkname) header.linkname = strip(item.header.linkname);
    const content = item.header.type === 'file' ? item.content : Buffer.alloc(0);
    await new Promise<void>((resolve, reject) => tar.entry(header, content, (error) => (error ? reject(error) : resolve())));
  }
  tar.finalize();
  return collected;
}


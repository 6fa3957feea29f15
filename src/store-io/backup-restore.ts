import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';

import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { pack, type Header, type Header as Headers } from 'tar-stream';
import { CONTAINER_PATHS } from '../stack/layout.js';
import type { Engine, ServiceContainer } from '../docker/engine.js';
import { CertkitError, isCertkitError } from '../errors.js';
import { assertArchiveSafe } from '../store/archive-safety.js';
import { forEachTarEntry, readTarSnapshot, storePathRule, tarEntryType, type TarItem } from '../store/read-tar-snapshot.js';
import { RESTORE_LIMITS, type TarLimits } from '../store/tar-limits.js';

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
 * `certkit restore FILE`: reads the archive twice, streaming both times, so memory stays bounded whatever it holds.
 * The first pass keeps only headers and checks every entry before anything is written (no absolute path, no `..`, no
 * control character in a name, no device or FIFO, no link leaving the store, hardlinks only to earlier entries, and
 * the size limits of tar-limits.ts); a store in use is not overwritten unless `overwrite`. The second pass streams the
 * entries to Docker in archive order, so each hardlink's target exists before the link.
 */
export async function restoreStore(
  engine: Engine,
  certbot: ServiceContainer,
  file: string,
  options: { overwrite: boolean; limits?: TarLimits },
): Promise<{ entries: number; lineages: number }> {
  const limits = options.limits ?? RESTORE_LIMITS;
  const headers = await readArchive(file, limits, async () => undefined);
  const rule = storePathRule(headers, undefined);
  const kept = headers.flatMap((header) => {
    const named = rule(header);
    return named === null ? [] : [{ ...named, header }];
  });
  assertArchiveSafe(
    kept.map((item) => {
      const type = tarEntryType(item.header.type);
      return { path: item.path, type: type === 'other' ? (item.header.type ?? 'other') : type, linkTarget: item.linkTarget };
    }),
  );
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
  const tar = pack();
  let streamError: Error | undefined;
  const written = readArchive(file, limits, async (stream) => {
    const named = rule(stream.header);
    if (named === null) return;
    const header: Headers = { ...stream.header, name: named.path };
    if (stream.header.type === 'link' && named.linkTarget !== undefined) header.linkname = named.linkTarget;
    if (tarEntryType(stream.header.type) === 'file') await pipeline(stream, tar.entry({ ...header, type: 'file' }));
    else tar.entry({ ...header, size: 0 });
  }).then(
    () => void tar.finalize(),
    (error: unknown) => {
      streamError = error instanceof Error ? error : new Error(String(error));
      tar.destroy(streamError);
    },
  );
  try {
    await engine.putArchive(certbot.id, CONTAINER_PATHS.letsencrypt, Readable.from(tar));
  } catch (error) {
    tar.destroy();
    await written;
    throw streamError ?? error;
  }
  await written;
  // Only if the file changed between the two passes: the first one checked every entry and limit.
  if (streamError !== undefined) throw streamError;
  return { entries: kept.length, lineages: kept.filter((item) => /^renewal\/[^/]+\.conf$/.test(item.path)).length };
}

/** One streaming pass over a .tar.gz; returns every header (never any data). Read errors become ARCHIVE_UNSAFE. */
async function readArchive(
  file: string,
  limits: TarLimits,
  onEntry: (stream: Readable & { header: Header }) => Promise<void>,
): Promise<Header[]> {
  const headers: Header[] = [];
  const compressed = createReadStream(file);
  try {
    await forEachTarEntry(compressed.pipe(createGunzip()), { limits, source: file }, async (stream) => {
      headers.push(stream.header);
      await onEntry(stream);
      if (!stream.readableEnded) {
        stream.resume();
        await finished(stream);
      }
    });
    return headers;
  } catch (error) {
    if (isCertkitError(error)) throw error;
    throw new CertkitError('ARCHIVE_UNSAFE', `${file} is not a readable .tar.gz (${(error as Error).message}); nothing was written.`, {
      cause: error,
    });
  } finally {
    compressed.destroy();
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

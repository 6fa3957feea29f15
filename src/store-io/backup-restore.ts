import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { pack } from 'tar-stream';
import { CONTAINER_PATHS } from '../stack/layout.js';
import type { Engine, ServiceContainer } from '../docker/engine.js';
import { readTarSnapshot, type TarItem } from '../store/read-tar-snapshot.js';
import { writableHeader } from '../store/tar-header.js';

/**
 * `certkit backup`: the whole store as a .tar.gz, read through the Docker archive API (symlinks, hardlinks, modes and
 * owners as tar keeps them). Written 0600 beside the target and renamed into place, so a half-written backup never
 * carries the final name. Returns how many entries and certificates it holds.
 */
export async function backupStore(
  engine: Engine,
  certbot: Pick<ServiceContainer, 'name'>,
  file: string,
): Promise<{ entries: number; lineages: number }> {
  const temp = `${file}.partial-${process.pid}`;
  try {
    await pipeline(
      await engine.getArchive(certbot.name, CONTAINER_PATHS.letsencrypt),
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

export async function repack(items: readonly TarItem[]): Promise<Buffer> {
  const tar = pack();
  const chunks: Buffer[] = [];
  const collected = new Promise<Buffer>((resolve, reject) => {
    tar.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
    tar.on('end', () => resolve(Buffer.concat(chunks)));
    tar.on('error', reject);
  });
  for (const item of items) {
    const header = writableHeader(
      item.header,
      item.path,
      item.header.type === 'link' ? item.linkTarget : item.header.linkname || undefined,
    );
    const content = item.header.type === 'file' ? (item.content ?? Buffer.alloc(0)) : Buffer.alloc(0);
    await new Promise<void>((resolve, reject) => tar.entry(header, content, (error) => (error ? reject(error) : resolve())));
  }
  tar.finalize();
  return collected;
}

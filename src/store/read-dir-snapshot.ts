import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Stats } from 'node:fs';
import { CertkitError } from '../errors.js';
import type { StoreEntry, StoreEntryType, StoreSnapshot } from './snapshot.js';
import { shouldKeepContent } from './snapshot.js';

/** Walks a local certbot config dir without following links; entries come in sorted, parent-first order. */
export async function readDirSnapshot(rootDir: string): Promise<StoreSnapshot> {
  const snapshot: StoreSnapshot = new Map();
  try {
    const root = await lstat(rootDir);
    if (!root.isDirectory()) throw new Error('not a directory');
  } catch (error) {
    throw new CertkitError('STORE_INVALID', `cannot read the certificate store at ${rootDir}: it must be an existing directory (certbot's config dir, e.g. /etc/letsencrypt)`, { cause: error });
  }
  await walk(rootDir, '', snapshot);
  return snapshot;
}

async function walk(rootDir: string, relative: string, snapshot: StoreSnapshot): Promise<void> {
  const names = (await readdir(join(rootDir, relative))).sort();
  for (const name of names) {
    const path = relative === '' ? name : `${relative}/${name}`;
    const full = join(rootDir, path);
    const stats = await lstat(full);
    const entry = describeStats(stats);
    if (entry.type === 'symlink') entry.linkTarget = await readlink(full);
    if (entry.type === 'file' && shouldKeepContent(path)) entry.content = await readFile(full);
    snapshot.set(path, entry);
    if (entry.type === 'directory') await walk(rootDir, path, snapshot);
  }
}

function describeStats(stats: Stats): StoreEntry {
  return {
    type: typeOf(stats),
    mode: stats.mode & 0o7777,
    uid: stats.uid,
    gid: stats.gid,
    size: stats.size,
    mtime: stats.mtime,
    dev: stats.dev,
    ino: stats.ino,
    nlink: stats.nlink,
  };
}

function typeOf(stats: Stats): StoreEntryType {
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isDirectory()) return 'directory';
  if (stats.isFile()) return 'file';
  return 'other';
}

import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Stats } from 'node:fs';
import { CertkitError } from '../errors.js';
import type { StoreEntry, StoreEntryType, StoreSnapshot } from '../store/snapshot.js';
import { shouldKeepContent } from '../store/snapshot.js';

/**
 * Walks a local certbot config dir without following links; entries come in sorted, parent-first order.
 * Synchronous calls on purpose: a store is thousands of small entries, and three thread-pool round trips per entry
 * made the async walk of a 1,000-certificate store take seconds (see bench/).
 */
export async function readDirSnapshot(rootDir: string, options: { keepContent?: (path: string) => boolean } = {}): Promise<StoreSnapshot> {
  const snapshot: StoreSnapshot = new Map();
  try {
    const root = lstatSync(rootDir);
    if (!root.isDirectory()) throw new Error('not a directory');
  } catch (error) {
    throw new CertkitError(
      'STORE_INVALID',
      `cannot read the certificate store at ${rootDir}: it must be an existing directory (certbot's config dir, e.g. /etc/letsencrypt)`,
      { cause: error },
    );
  }
  walk(rootDir, '', snapshot, options.keepContent ?? shouldKeepContent);
  return snapshot;
}

function walk(rootDir: string, relative: string, snapshot: StoreSnapshot, keepContent: (path: string) => boolean): void {
  const names = readdirSync(join(rootDir, relative)).sort();
  for (const name of names) {
    const path = relative === '' ? name : `${relative}/${name}`;
    const full = join(rootDir, path);
    const entry = describeStats(lstatSync(full));
    if (entry.type === 'symlink') entry.linkTarget = readlinkSync(full);
    if (entry.type === 'file' && keepContent(path)) entry.content = readFileSync(full);
    snapshot.set(path, entry);
    if (entry.type === 'directory') walk(rootDir, path, snapshot, keepContent);
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

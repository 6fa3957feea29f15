import { posix } from 'node:path';
import { adaptRenewalConf } from './adapt-renewal-conf.js';
import type { StoreEntry, StoreSnapshot } from './snapshot.js';
import { indexLineages } from './store-layout.js';

/** One entry to write into certkit's store, in order (parents before children, targets before links). */
export interface ImportEntry {
  path: string;
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  mtime: Date;
  content?: Buffer;
  linkTarget?: string;
}

export interface ImportPlan {
  /** Certificate names taken over. */
  lineages: string[];
  entries: ImportEntry[];
  /** Existing paths of the same lineages moved aside first (only with force): nothing is deleted. */
  setAside: { from: string; to: string }[];
  /** Lineages of the same name already in certkit's store (refused without force). */
  conflicts: string[];
  /** What each renewal conf needed, `NAME: change`. */
  confChanges: string[];
  /** Paths of the folder not taken over, with the reason. */
  skipped: string[];
}

/** Where a replaced lineage goes: outside live/, archive/ and renewal/, so certbot and certkit ignore it. */
export const SET_ASIDE_DIR = 'certkit-replaced';

const PRIVATE = [/^archive\/[^/]+\/privkey\d+\.pem$/, /^accounts\/.+\/private_key\.json$/];

/**
 * What `certkit import` writes: every lineage of the folder (live/ links, every archive version, its renewal conf
 * rewritten for the certbot container) and the accounts they renew with. Accounts certkit's store already holds are
 * kept as they are (an account's folder is named for its key). Private keys are written 0600 at most. History certbot
 * no longer reads (keys/, csr/) and the old host's hooks and settings (renewal-hooks/, cli.ini) are left behind.
 */
export function planImport(source: StoreSnapshot, target: StoreSnapshot, options: { force: boolean; stamp: string }): ImportPlan {
  const lineages = [...indexLineages(source).keys()];
  const mine = (path: string): string | undefined => lineages.find((name) => lineagePaths(name).some((root) => within(path, root)));
  const conflicts = lineages.filter((name) => lineagePaths(name).some((root) => target.has(root)));
  const setAside = options.force
    ? conflicts.flatMap((name) =>
        lineagePaths(name)
          .filter((root) => target.has(root))
          .map((root) => ({ from: root, to: `${SET_ASIDE_DIR}/${options.stamp}/${root}` })),
      )
    : [];
  const entries: ImportEntry[] = [];
  const confChanges: string[] = [];
  const skipped: string[] = [];
  for (const [path, entry] of source) {
    const top = path.split('/')[0] ?? path;
    const lineage = mine(path);
    if (['live', 'archive', 'renewal', 'accounts'].includes(path)) {
      if (entry.type === 'directory') entries.push(directory(path, entry));
      continue;
    }
    if (path === 'live/README') {
      if (!target.has(path) && entry.type === 'file') entries.push(file(path, entry, entry.content));
      continue;
    }
    if (top === 'accounts') {
      if (entry.type === 'directory') entries.push(directory(path, entry));
      else if (target.has(path)) continue;
      else if (entry.type === 'file') entries.push(file(path, entry, entry.content));
      else skipped.push(`${path} (not a regular file)`);
      continue;
    }
    if (lineage === undefined) {
      if (entry.type !== 'directory') skipped.push(`${path} (${whySkipped(top)})`);
      continue;
    }
    if (entry.type === 'directory') entries.push(directory(path, entry));
    else if (entry.type === 'symlink' && entry.linkTarget !== undefined)
      entries.push({ path, type: 'symlink', mode: 0o777, mtime: entry.mtime, linkTarget: entry.linkTarget });
    else if (path === `renewal/${lineage}.conf` && entry.content !== undefined) {
      const adapted = adaptRenewalConf(entry.content.toString('utf8'), lineage);
      confChanges.push(...adapted.changes.map((change) => `${lineage}: ${change}`));
      entries.push(file(path, entry, Buffer.from(adapted.text)));
    } else if (entry.type === 'file') entries.push(file(path, entry, entry.content));
    else skipped.push(`${path} (not a file, folder or link)`);
  }
  return { lineages, entries, setAside, conflicts, confChanges, skipped };
}

function lineagePaths(name: string): string[] {
  return [`live/${name}`, `archive/${name}`, `renewal/${name}.conf`];
}

function within(path: string, root: string): boolean {
  return root !== '' && (path === root || path.startsWith(`${root}/`));
}

function whySkipped(top: string): string {
  if (top === 'renewal-hooks') return "the old host's hook scripts: certkit deploys and reloads nginx itself";
  if (top === 'keys' || top === 'csr') return 'history of old certbot versions, not read by renewals';
  return 'not part of a certificate or account';
}

function directory(path: string, entry: StoreEntry): ImportEntry {
  return { path, type: 'directory', mode: entry.mode, mtime: entry.mtime };
}

function file(path: string, entry: StoreEntry, content: Buffer | undefined): ImportEntry {
  const mode = PRIVATE.some((pattern) => pattern.test(path)) ? entry.mode & 0o600 : entry.mode;
  return { path: posix.normalize(path), type: 'file', mode, mtime: entry.mtime, content: content ?? Buffer.alloc(0) };
}

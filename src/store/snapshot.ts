export type StoreEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

/**
 * One path of a certbot config dir, as lstat or a tar header describes it. Links are never followed when a
 * snapshot is taken: whether a live/ file is a symlink, a copy or a hardlink is exactly what we need to see.
 */
export interface StoreEntry {
  type: StoreEntryType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: Date;
  /** Symlink: the link text as written. Tar hardlink: the path of the earlier entry it shares data with. */
  linkTarget?: string;
  /** Only kept for files whose content analysis needs (.pem, .conf). */
  content?: Buffer;
  /**
   * Whether `content` is there, when a reader can tell without reading the bytes (a directory walk reads them on
   * first use); when undefined, `content` itself says.
   */
  readonly readable?: boolean;
  /** From a directory walk: device and inode identify a file; nlink > 1 means it has other names. */
  dev?: number;
  ino?: number;
  nlink?: number;
}

/** POSIX path relative to the store root (`live/example.com/cert.pem`) → entry, in walk or archive order. */
export type StoreSnapshot = Map<string, StoreEntry>;

/** Whether a snapshot reader should keep this file's bytes. */
export function shouldKeepContent(path: string): boolean {
  return path.endsWith('.pem') || path.endsWith('.conf');
}

/**
 * Resolves a symlink's text against the link's own directory. Returns null for absolute targets and for targets
 * that leave the store: a snapshot cannot say what lies there.
 */
export function resolveLinkTarget(linkPath: string, target: string): string | null {
  if (target.startsWith('/')) return null;
  // By hand rather than posix.join/normalize: status resolves four links per certificate (issue 11).
  const parts = linkPath.split('/');
  parts.pop();
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..') parts.push(part);
    else if (parts.length === 0) return null;
    else parts.pop();
  }
  return parts.join('/');
}

/** Follows symlinks and tar hardlinks to the entry that holds the data; null when the chain breaks or loops. */
export function resolveEntry(snapshot: StoreSnapshot, path: string): { path: string; entry: StoreEntry } | null {
  let current = path;
  // Eight hops is far more than certbot ever makes (live → archive → reused privkey) and stops loops.
  for (let hop = 0; hop < 8; hop += 1) {
    const entry = snapshot.get(current);
    if (entry === undefined) return null;
    if (entry.type === 'hardlink' && entry.linkTarget !== undefined) {
      current = entry.linkTarget;
    } else if (entry.type === 'symlink' && entry.linkTarget !== undefined) {
      const next = resolveLinkTarget(current, entry.linkTarget);
      if (next === null) return null;
      current = next;
    } else {
      return { path: current, entry };
    }
  }
  return null;
}

/** The bytes a reader would get by opening `path`, or undefined when they are unknown or unreachable. */
export function readContent(snapshot: StoreSnapshot, path: string): Buffer | undefined {
  const resolved = resolveEntry(snapshot, path);
  return resolved?.entry.type === 'file' ? resolved.entry.content : undefined;
}

/** Whether a reader opening `path` would get bytes, without reading them where the snapshot can avoid it. */
export function hasContent(snapshot: StoreSnapshot, path: string): boolean {
  const resolved = resolveEntry(snapshot, path);
  if (resolved?.entry.type !== 'file') return false;
  return resolved.entry.readable ?? resolved.entry.content !== undefined;
}

/** A regular file that shares its data with another name: a tar hardlink, or nlink > 1 from a walk. */
export function isHardlinked(entry: StoreEntry): boolean {
  return entry.type === 'hardlink' || (entry.type === 'file' && (entry.nlink ?? 1) > 1);
}

/** Regular data at this path (file or hardlink), as opposed to a symlink, directory or device. */
export function isRegularData(entry: StoreEntry): boolean {
  return entry.type === 'file' || entry.type === 'hardlink';
}

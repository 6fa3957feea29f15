import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { Dirent, Stats } from 'node:fs';
import { CertkitError } from '../errors.js';
import type { StoreEntry, StoreEntryType, StoreSnapshot } from '../store/snapshot.js';
import { shouldKeepContent } from '../store/snapshot.js';

/**
 * Walks a local certbot config dir without following links; entries come in sorted, parent-first order.
 *
 * The walk itself only lists folders (one readdir each, which also says what each name is). An entry's lstat, link
 * text and bytes are read the first time analysis asks for them, then kept: a status over 1,000 certificates looks
 * at a few files per certificate, not at all eleven thousand entries (issue 11). Synchronous calls on purpose: a
 * store is thousands of small entries, and a thread-pool round trip per entry costs more than the system call.
 * A file that cannot be read when its bytes are asked for throws STORE_INVALID naming it, as the eager walk did.
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
  walk(rootDir.length > 1 ? rootDir.replace(/\/+$/, '') : rootDir, '', snapshot, options.keepContent ?? shouldKeepContent);
  return snapshot;
}

function walk(rootDir: string, relative: string, snapshot: StoreSnapshot, keepContent: (path: string) => boolean): void {
  const dir = relative === '' ? rootDir : `${rootDir}/${relative}`;
  const dirents = readdirSync(dir, { withFileTypes: true }).sort(byName);
  for (const dirent of dirents) {
    const path = relative === '' ? dirent.name : `${relative}/${dirent.name}`;
    const type = typeOf(dirent);
    snapshot.set(path, new WalkedEntry(`${dir}/${dirent.name}`, path, type, type === 'file' && keepContent(path)));
    if (type === 'directory') walk(rootDir, path, snapshot, keepContent);
  }
}

/** The order `readdirSync(...).sort()` gives: UTF-16 code units. */
function byName(a: Dirent, b: Dirent): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** What lstat would say; node itself lstats the names whose type the file system does not report. */
function typeOf(dirent: Dirent): StoreEntryType {
  if (dirent.isSymbolicLink()) return 'symlink';
  if (dirent.isDirectory()) return 'directory';
  if (dirent.isFile()) return 'file';
  return 'other';
}

/** One walked path; its stats, link text and bytes are read on first use and kept. */
class WalkedEntry implements StoreEntry {
  #stats: Stats | undefined;
  #linkTarget: string | undefined;
  #content: Buffer | undefined;

  constructor(
    private readonly fullPath: string,
    private readonly path: string,
    readonly type: StoreEntryType,
    private readonly keepContent: boolean,
  ) {}

  get mode(): number {
    return this.#lstat().mode & 0o7777;
  }
  get uid(): number {
    return this.#lstat().uid;
  }
  get gid(): number {
    return this.#lstat().gid;
  }
  get size(): number {
    return this.#lstat().size;
  }
  get mtime(): Date {
    return this.#lstat().mtime;
  }
  get dev(): number {
    return this.#lstat().dev;
  }
  get ino(): number {
    return this.#lstat().ino;
  }
  get nlink(): number {
    return this.#lstat().nlink;
  }

  get linkTarget(): string | undefined {
    if (this.type !== 'symlink') return undefined;
    this.#linkTarget ??= this.#attempt('read the link', () => readlinkSync(this.fullPath));
    return this.#linkTarget;
  }

  get content(): Buffer | undefined {
    if (!this.keepContent) return undefined;
    this.#content ??= this.#attempt('read', () => readFileSync(this.fullPath));
    return this.#content;
  }

  /**
   * A regular file whose bytes analysis keeps counts as readable without reading it; if it cannot be read when its
   * bytes are asked for, that read throws (as the eager walk did for any unreadable file).
   */
  get readable(): boolean {
    return this.keepContent;
  }

  #lstat(): Stats {
    this.#stats ??= this.#attempt('lstat', () => lstatSync(this.fullPath));
    return this.#stats;
  }

  #attempt<T>(what: string, read: () => T): T {
    try {
      return read();
    } catch (error) {
      throw new CertkitError(
        'STORE_INVALID',
        `cannot ${what} ${this.path} in the certificate store (${this.fullPath}): ${(error as Error).message}${
          (error as NodeJS.ErrnoException).code === 'EACCES'
            ? '; run certkit as a user who can read the store (its keys are 0600: root, or sudo)'
            : ''
        }`,
        {
          cause: error,
        },
      );
    }
  }
}

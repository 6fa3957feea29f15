import type { StoreSnapshot } from './snapshot.js';
import { hasContent } from './snapshot.js';

/** The four files certbot keeps per certificate version, in the order it lists them. */
export const LIVE_KINDS = ['cert', 'chain', 'fullchain', 'privkey'] as const;
export type LiveKind = (typeof LIVE_KINDS)[number];

export type VersionFiles = Partial<Record<LiveKind, string>>;

/** Where one lineage (certbot's word for a certificate name and all its renewals) has files. */
export interface LineageIndex {
  name: string;
  renewalPath: string | null;
  hasLiveDir: boolean;
  hasArchiveDir: boolean;
  /** Version number → archive paths of the files present for it (present as names; contents may still dangle). */
  versions: Map<number, VersionFiles>;
}

const ARCHIVE_FILE = /^(cert|chain|fullchain|privkey)(\d+)\.pem$/;

/** Groups every path of the store by lineage in one pass, so analysis stays linear in the size of the store. */
export function indexLineages(snapshot: StoreSnapshot): Map<string, LineageIndex> {
  const lineages = new Map<string, LineageIndex>();
  const lineage = (name: string): LineageIndex => {
    let found = lineages.get(name);
    if (found === undefined) {
      found = { name, renewalPath: null, hasLiveDir: false, hasArchiveDir: false, versions: new Map() };
      lineages.set(name, found);
    }
    return found;
  };
  // forEach, not for…of: no [path, entry] pair and iterator result per entry (the walk's 11,000 run cold).
  snapshot.forEach((entry, path) => {
    // top/NAME[/rest]: split by hand, as this runs for every entry of the store.
    const slash = path.indexOf('/');
    if (slash < 0) return;
    const top = path.slice(0, slash);
    const next = path.indexOf('/', slash + 1);
    const name = next < 0 ? path.slice(slash + 1) : path.slice(slash + 1, next);
    if (name === '') return;
    if (top === 'renewal') {
      if (next < 0 && name.endsWith('.conf') && name.length > '.conf'.length && entry.type !== 'directory')
        lineage(name.slice(0, -'.conf'.length)).renewalPath = path;
      return;
    }
    // live/README is a file certbot writes beside the lineage folders; only folders are lineages.
    if (top === 'live') {
      if (entry.type === 'directory' || next >= 0) lineage(name).hasLiveDir = true;
      return;
    }
    if (top !== 'archive') return;
    const found = lineage(name);
    found.hasArchiveDir = true;
    if (next < 0 || path.indexOf('/', next + 1) >= 0) return;
    const file = ARCHIVE_FILE.exec(path.slice(next + 1));
    if (file?.[1] === undefined || file[2] === undefined) return;
    const version = Number(file[2]);
    const files = found.versions.get(version) ?? {};
    files[file[1] as LiveKind] = path;
    found.versions.set(version, files);
  });
  // By UTF-16 code units, as the walk sorts: the same order whatever the locale (and no ICU collator to load).
  return new Map([...lineages].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function archivePath(name: string, kind: LiveKind, version: number): string {
  return `archive/${name}/${kind}${version}.pem`;
}

export function livePath(name: string, kind: LiveKind): string {
  return `live/${name}/${kind}.pem`;
}

/** The link text certbot writes in live/NAME/ for a version. */
export function liveLinkTarget(name: string, kind: LiveKind, version: number): string {
  return `../../archive/${name}/${kind}${version}.pem`;
}

/** Versions whose four files all exist and can be read (a reused key may be a symlink to an older one). */
export function listCompleteVersions(snapshot: StoreSnapshot, lineage: LineageIndex): number[] {
  const complete: number[] = [];
  for (const [version, files] of lineage.versions) {
    if (LIVE_KINDS.every((kind) => files[kind] !== undefined && hasContent(snapshot, files[kind]))) {
      complete.push(version);
    }
  }
  return complete.sort((a, b) => a - b);
}

/** The number certbot would give the next version: one past the highest used by any file. */
export function nextFreeVersion(lineage: LineageIndex): number {
  return Math.max(0, ...lineage.versions.keys()) + 1;
}

import type { StoreSnapshot } from './snapshot.js';
import { readContent } from './snapshot.js';

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

const RENEWAL_CONF = /^renewal\/([^/]+)\.conf$/;
const LIVE_DIR = /^live\/([^/]+)(?:\/|$)/;
const ARCHIVE_DIR = /^archive\/([^/]+)(?:\/|$)/;
const ARCHIVE_FILE = /^archive\/([^/]+)\/(cert|chain|fullchain|privkey)(\d+)\.pem$/;

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
  for (const [path, entry] of snapshot) {
    const renewal = RENEWAL_CONF.exec(path);
    if (renewal?.[1] !== undefined && entry.type !== 'directory') {
      lineage(renewal[1]).renewalPath = path;
      continue;
    }
    // live/README is a file certbot writes beside the lineage folders; only folders are lineages.
    const live = LIVE_DIR.exec(path);
    if (live?.[1] !== undefined && (entry.type === 'directory' || path.length > live[0].length)) {
      lineage(live[1]).hasLiveDir = true;
      continue;
    }
    const archive = ARCHIVE_DIR.exec(path);
    if (archive?.[1] === undefined) continue;
    const found = lineage(archive[1]);
    found.hasArchiveDir = true;
    const file = ARCHIVE_FILE.exec(path);
    if (file?.[2] === undefined || file[3] === undefined) continue;
    const version = Number(file[3]);
    const files = found.versions.get(version) ?? {};
    files[file[2] as LiveKind] = path;
    found.versions.set(version, files);
  }
  return new Map([...lineages].sort(([a], [b]) => a.localeCompare(b)));
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
    if (LIVE_KINDS.every((kind) => files[kind] !== undefined && readContent(snapshot, files[kind]) !== undefined)) {
      complete.push(version);
    }
  }
  return complete.sort((a, b) => a - b);
}

/** The number certbot would give the next version: one past the highest used by any file. */
export function nextFreeVersion(lineage: LineageIndex): number {
  return Math.max(0, ...lineage.versions.keys()) + 1;
}

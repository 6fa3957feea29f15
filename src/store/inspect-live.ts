import type { StoreEntryType, StoreSnapshot } from './snapshot.js';
import { hasContent, isHardlinked, isRegularData, readContent, resolveLinkTarget } from './snapshot.js';
import type { LineageIndex, LiveKind } from './store-layout.js';
import { archivePath, livePath } from './store-layout.js';

/** What stands at live/NAME/<kind>.pem, told apart the way certbot's own consistency check does. */
export type LiveFileState =
  | { state: 'link'; target: string; version: number }
  | { state: 'absolute-link'; target: string; version: number | null }
  | { state: 'foreign-link'; target: string; resolved: string }
  | { state: 'dangling'; target: string }
  | { state: 'file'; hardlinked: boolean; matchesVersion: number | null }
  | { state: 'missing' }
  | { state: 'other'; type: StoreEntryType };

export function inspectLiveFile(snapshot: StoreSnapshot, lineage: LineageIndex, kind: LiveKind): LiveFileState {
  const path = livePath(lineage.name, kind);
  const entry = snapshot.get(path);
  if (entry === undefined) return { state: 'missing' };
  if (isRegularData(entry)) {
    return { state: 'file', hardlinked: isHardlinked(entry), matchesVersion: findMatchingVersion(snapshot, lineage, kind, path) };
  }
  if (entry.type !== 'symlink' || entry.linkTarget === undefined) return { state: 'other', type: entry.type };
  const target = entry.linkTarget;
  if (target.startsWith('/'))
    return { state: 'absolute-link', target, version: parseAbsoluteVersion(snapshot, lineage.name, kind, target) };
  const resolved = resolveLinkTarget(path, target);
  if (resolved === null || !hasContent(snapshot, resolved)) return { state: 'dangling', target };
  const version = parseArchiveVersion(lineage.name, kind, resolved);
  return version === null ? { state: 'foreign-link', target, resolved } : { state: 'link', target, version };
}

export function inspectLiveFiles(snapshot: StoreSnapshot, lineage: LineageIndex): Record<LiveKind, LiveFileState> {
  return {
    cert: inspectLiveFile(snapshot, lineage, 'cert'),
    chain: inspectLiveFile(snapshot, lineage, 'chain'),
    fullchain: inspectLiveFile(snapshot, lineage, 'fullchain'),
    privkey: inspectLiveFile(snapshot, lineage, 'privkey'),
  };
}

/** The bytes a web server reading live/NAME/<kind>.pem would get today, if any. */
export function readLiveContent(snapshot: StoreSnapshot, name: string, kind: LiveKind, state: LiveFileState): Buffer | undefined {
  if (state.state === 'absolute-link')
    return state.version === null ? undefined : readContent(snapshot, archivePath(name, kind, state.version));
  return readContent(snapshot, livePath(name, kind));
}

/** Newest version whose same-kind archive file has exactly these bytes (copies made with cp or by a backup tool). */
function findMatchingVersion(snapshot: StoreSnapshot, lineage: LineageIndex, kind: LiveKind, path: string): number | null {
  const content = readContent(snapshot, path);
  if (content === undefined) return null;
  let match: number | null = null;
  for (const [version, files] of lineage.versions) {
    const archived = files[kind] === undefined ? undefined : readContent(snapshot, files[kind]);
    if (archived !== undefined && archived.equals(content) && (match === null || version > match)) match = version;
  }
  return match;
}

function parseArchiveVersion(name: string, kind: LiveKind, resolved: string): number | null {
  const prefix = `archive/${name}/${kind}`;
  if (!resolved.startsWith(prefix) || !resolved.endsWith('.pem')) return null;
  const digits = resolved.slice(prefix.length, -'.pem'.length);
  return /^\d+$/.test(digits) ? Number(digits) : null;
}

/** `/etc/letsencrypt/archive/NAME/cert3.pem` → 3 when that file exists in the store, whatever the mount point. */
function parseAbsoluteVersion(snapshot: StoreSnapshot, name: string, kind: LiveKind, target: string): number | null {
  const at = target.lastIndexOf(`/archive/${name}/`);
  if (at < 0) return null;
  const relative = target.slice(at + 1);
  const version = parseArchiveVersion(name, kind, relative);
  return version !== null && hasContent(snapshot, relative) ? version : null;
}

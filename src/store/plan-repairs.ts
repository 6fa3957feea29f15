import { posix } from 'node:path';
import { listLooseKeyPaths, LOOSE_KEY_BITS } from './find-loose-keys.js';
import type { LiveFileState } from './inspect-live.js';
import { inspectLiveFiles } from './inspect-live.js';
import type { Repair } from './repair.js';
import type { StoreSnapshot } from './snapshot.js';
import { resolveEntry } from './snapshot.js';
import type { LineageIndex, LiveKind } from './store-layout.js';
import { archivePath, indexLineages, listCompleteVersions, LIVE_KINDS, livePath, liveLinkTarget, nextFreeVersion } from './store-layout.js';

export { describeRepair } from './repair.js';
export type { Repair } from './repair.js';

/**
 * Plans the steps that bring live/ back to four relative links into archive/ and keys back to 0600, the way
 * certbot needs them to renew. Live files whose bytes are in no archive version become a new version first.
 */
export function planRepairs(snapshot: StoreSnapshot): Repair[] {
  const repairs: Repair[] = [];
  for (const lineage of indexLineages(snapshot).values()) {
    for (const path of listLooseKeyPaths(snapshot, lineage).filter((p) => p.startsWith('archive/'))) {
      repairs.push(chmodKey(path, `private key readable by group or others`));
    }
    // A lone archive/ folder with no live/ and no renewal conf is history, not a certificate to bring back.
    if (lineage.hasLiveDir || lineage.renewalPath !== null) repairs.push(...planLiveRepairs(snapshot, lineage));
  }
  for (const [path, entry] of snapshot) {
    if (/^keys\/[^/]+\.pem$/.test(path) && entry.type === 'file' && (entry.mode & LOOSE_KEY_BITS) !== 0) {
      repairs.push(chmodKey(path, 'old private key (kept by older certbot) readable by group or others'));
    }
  }
  return repairs;
}

function planLiveRepairs(snapshot: StoreSnapshot, lineage: LineageIndex): Repair[] {
  const states = inspectLiveFiles(snapshot, lineage);
  const newest = listCompleteVersions(snapshot, lineage).at(-1) ?? null;
  const repairs: Repair[] = [];
  const setAside = (kind: LiveKind, why: string): string => {
    const from = livePath(lineage.name, kind);
    const to = pickBackupPath(snapshot, from);
    repairs.push({ kind: 'rename', from, to, reason: `${why}; kept as a backup` });
    if (kind === 'privkey' && isLooseFile(snapshot, from)) repairs.push(chmodKey(to, 'backup of a private key'));
    return to;
  };
  if (LIVE_KINDS.some((kind) => holdsUnarchivedBytes(states[kind]))) {
    // Archive what live/ serves today as version N+1, so the certificate in use survives and certbot renews from it.
    const version = nextFreeVersion(lineage);
    for (const kind of LIVE_KINDS) {
      const source = findCurrentSource(lineage, kind, states[kind], newest, setAside);
      if (source === null) continue;
      const archived = archiveAs(snapshot, lineage, kind, source, version);
      repairs.push(archived);
      if (archived.kind === 'copy' && kind === 'privkey' && isLooseFile(snapshot, livePath(lineage.name, kind))) {
        repairs.push(chmodKey(archived.to, 'archived private key came from a file readable by group or others'));
      }
      repairs.push(link(lineage, kind, version, `${describeState(states[kind])}; now linked to the new version ${version}`));
    }
    return repairs;
  }
  for (const kind of LIVE_KINDS) {
    const state = states[kind];
    const current =
      state.state === 'link' || state.state === 'absolute-link' ? state.version : state.state === 'file' ? state.matchesVersion : null;
    if (state.state === 'link' && (newest === null || state.version >= newest)) continue;
    const version = current !== null && (newest === null || current > newest) ? current : newest;
    if (version === null) continue;
    if (state.state === 'other') setAside(kind, `a ${state.type} stood where the link belongs`);
    repairs.push(
      link(
        lineage,
        kind,
        version,
        `${describeState(state)}; linking to ${version === current ? 'the same bytes' : 'the newest complete version'}`,
      ),
    );
  }
  return repairs;
}

/** True when replacing this live entry by a link could lose bytes that no archive version holds. */
function holdsUnarchivedBytes(state: LiveFileState): boolean {
  return (state.state === 'file' && state.matchesVersion === null) || state.state === 'foreign-link';
}

/** Where the bytes live/NAME/<kind>.pem serves today can be read from, after setting aside what must be kept. */
function findCurrentSource(
  lineage: LineageIndex,
  kind: LiveKind,
  state: LiveFileState,
  newest: number | null,
  setAside: (kind: LiveKind, why: string) => string,
): string | null {
  switch (state.state) {
    case 'file':
      return state.matchesVersion === null
        ? setAside(kind, 'its bytes match no archive version')
        : archivePath(lineage.name, kind, state.matchesVersion);
    case 'link':
      return archivePath(lineage.name, kind, state.version);
    case 'absolute-link':
      return state.version === null && newest === null ? null : archivePath(lineage.name, kind, state.version ?? newest ?? 0);
    case 'foreign-link':
      return state.resolved;
    case 'other':
      setAside(kind, `a ${state.type} stood where the link belongs`);
      return newest === null ? null : archivePath(lineage.name, kind, newest);
    default:
      return newest === null ? null : archivePath(lineage.name, kind, newest);
  }
}

/** Inside the lineage's archive a relative link does, as certbot itself does for a reused key; else a copy. */
function archiveAs(snapshot: StoreSnapshot, lineage: LineageIndex, kind: LiveKind, source: string, version: number): Repair {
  const to = archivePath(lineage.name, kind, version);
  const resolved = resolveEntry(snapshot, source)?.path ?? source;
  if (posix.dirname(resolved) === `archive/${lineage.name}`) {
    return { kind: 'symlink', path: to, target: posix.basename(resolved), reason: `version ${version} reuses ${resolved}` };
  }
  return { kind: 'copy', from: source, to, reason: `archive the bytes live/ served as version ${version}` };
}

function link(lineage: LineageIndex, kind: LiveKind, version: number, reason: string): Repair {
  return { kind: 'symlink', path: livePath(lineage.name, kind), target: liveLinkTarget(lineage.name, kind, version), reason };
}

function chmodKey(path: string, reason: string): Repair {
  return { kind: 'chmod', path, mode: 0o600, reason };
}

function describeState(state: LiveFileState): string {
  if (state.state === 'file') return state.hardlinked ? 'was a hardlink' : 'was a regular file';
  if (state.state === 'link') return `pointed at version ${state.version}`;
  return `was ${state.state === 'absolute-link' ? 'an absolute link' : state.state === 'foreign-link' ? 'a link outside the archive' : state.state}`;
}

/** `cert.pem.certkit-replaced.bak`, numbered when taken: plans stay pure, and a second run never overwrites. */
function pickBackupPath(snapshot: StoreSnapshot, path: string): string {
  for (let n = 1; ; n += 1) {
    const candidate = `${path}.certkit-replaced${n === 1 ? '' : `-${n}`}.bak`;
    if (!snapshot.has(candidate)) return candidate;
  }
}

function isLooseFile(snapshot: StoreSnapshot, path: string): boolean {
  const entry = snapshot.get(path);
  return entry !== undefined && (entry.mode & LOOSE_KEY_BITS) !== 0;
}

import { posix } from 'node:path';
import { CertkitError } from '../errors.js';
import type { StoreSnapshot } from './snapshot.js';
import { readContent, resolveLinkTarget } from './snapshot.js';
import { indexLineages } from './store-layout.js';

export interface PrunePlan {
  /** Store-relative paths to delete, archive versions first, then keys/ and csr/. */
  remove: string[];
  /** Per lineage, the archive version numbers that stay. */
  keptVersions: Record<string, number[]>;
}

const KEY_OR_CSR = /^(keys|csr)\/[^/]+\.pem$/;

/**
 * Plans which old files to delete: archive versions older than the newest `keep` of each lineage, and the keys/
 * and csr/ files older certbot left behind. A version live/ links to stays whole; any other file something links to
 * (a renewed version's privkey linking to the key it reused) stays on its own, whatever its age.
 */
export function planPrune(snapshot: StoreSnapshot, keep: number): PrunePlan {
  if (!Number.isInteger(keep) || keep < 1) {
    throw new CertkitError(
      'USAGE',
      `keep must be a whole number of versions, at least 1 (got ${keep}): the newest version is what live/ serves`,
    );
  }
  const referenced = collectLinkTargets(snapshot, '', 8);
  // Only the files live/ names directly make their version whole; a reused key further down is kept on its own.
  const servedByLive = collectLinkTargets(snapshot, 'live/', 1);
  const lineages = indexLineages(snapshot);
  const keptVersions: Record<string, number[]> = {};
  const candidates: string[] = [];
  for (const lineage of lineages.values()) {
    const newestFirst = [...lineage.versions.keys()].sort((a, b) => b - a);
    const kept = new Set(newestFirst.slice(0, keep));
    for (const version of newestFirst) {
      const files = Object.values(lineage.versions.get(version) ?? {});
      // A copied live/ file that matches a version will be relinked to it by a repair, so it counts as in use.
      if (files.some((path) => servedByLive.has(path) || matchesLiveCopy(snapshot, lineage.name, path))) kept.add(version);
    }
    keptVersions[lineage.name] = [...kept].sort((a, b) => a - b);
    for (const version of newestFirst) if (!kept.has(version)) candidates.push(...Object.values(lineage.versions.get(version) ?? {}));
  }
  const confText = collectRenewalConfText(snapshot);
  const oldFiles = [...snapshot.keys()].filter((path) => KEY_OR_CSR.test(path) && !confText.includes(`/${path}`));
  const remove = [...candidates, ...oldFiles].filter((path) => !referenced.has(path)).sort();
  return { remove, keptVersions };
}

/** Every path a symlink or hardlink under `prefix` leads to within `hops` hops (live → archive → reused key). */
function collectLinkTargets(snapshot: StoreSnapshot, prefix: string, hops: number): Set<string> {
  const targets = new Set<string>();
  for (const [path, entry] of snapshot) {
    if (!path.startsWith(prefix)) continue;
    let current = path;
    let link = entry;
    for (let hop = 0; hop < hops && link.linkTarget !== undefined; hop += 1) {
      const next =
        link.type === 'hardlink' ? link.linkTarget : link.type === 'symlink' ? resolveLinkTarget(current, link.linkTarget) : null;
      if (next === null || targets.has(next)) break;
      targets.add(next);
      const found = snapshot.get(next);
      if (found === undefined) break;
      current = next;
      link = found;
    }
  }
  return targets;
}

function matchesLiveCopy(snapshot: StoreSnapshot, name: string, archivePath: string): boolean {
  const kind = /^(cert|chain|fullchain|privkey)\d+\.pem$/.exec(posix.basename(archivePath))?.[1];
  const livePath = `live/${name}/${kind ?? ''}.pem`;
  const live = snapshot.get(livePath);
  if (kind === undefined || live === undefined || live.type === 'symlink') return false;
  const content = readContent(snapshot, livePath);
  return content !== undefined && readContent(snapshot, archivePath)?.equals(content) === true;
}

/** All renewal confs as one text: a keys/ file named in any of them is in use. */
function collectRenewalConfText(snapshot: StoreSnapshot): string {
  const texts: string[] = [];
  for (const [path, entry] of snapshot)
    if (path.startsWith('renewal/') && entry.content !== undefined) texts.push(entry.content.toString('utf8'));
  return texts.join('\n');
}

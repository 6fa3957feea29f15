import type { StoreSnapshot } from './snapshot.js';
import type { LineageIndex } from './store-layout.js';
import { livePath } from './store-layout.js';

/** Permission bits that let anyone but the owner read or change a file. */
export const LOOSE_KEY_BITS = 0o077;

/** Paths of this lineage's private keys that group or others can read (links have no mode of their own). */
export function listLooseKeyPaths(snapshot: StoreSnapshot, lineage: LineageIndex): string[] {
  const paths = [...lineage.versions.keys()]
    .sort((a, b) => a - b)
    .map((version) => lineage.versions.get(version)?.privkey)
    .filter((path): path is string => path !== undefined);
  paths.push(livePath(lineage.name, 'privkey'));
  return paths.filter((path) => {
    const entry = snapshot.get(path);
    return entry !== undefined && entry.type === 'file' && (entry.mode & LOOSE_KEY_BITS) !== 0;
  });
}

export function findLooseKeys(snapshot: StoreSnapshot, lineage: LineageIndex): string[] {
  const loose = listLooseKeyPaths(snapshot, lineage);
  if (loose.length === 0) return [];
  const modes = [...new Set(loose.map((path) => formatMode(snapshot.get(path)?.mode ?? 0)))].join(', ');
  // certbot copies a key's group bits to the key of the next renewal, so loose modes outlive the file.
  return [
    `${loose.join(', ')} can be read by group or others (mode ${modes}); anyone who reads a key can impersonate ${lineage.name}. Run "chmod 600 ${loose.join(' ')}" in the config dir.`,
  ];
}

export function formatMode(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

import { posix } from 'node:path';
import { CertkitError } from '../errors.js';

/**
 * Every change certkit makes to a certbot store; paths are relative to the store root and checked by
 * `checkStoreRelative` in each implementation. Local disk (local-store-writer.ts) or the certbot container
 * (container-store-writer.ts).
 */
export interface StoreWriter {
  /** Replace whatever is at `path` by a symlink with this text, in one step. */
  symlink(path: string, target: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  /** Copy bytes and mode; fails when `to` exists, so nothing is overwritten. */
  copy(from: string, to: string): Promise<void>;
  /** Remove one file (never a folder). */
  remove(path: string): Promise<void>;
}

/** Checks a store path is relative and stays inside the store; returns it normalized. */
export function checkStoreRelative(path: string, root: string): string {
  const normalized = posix.normalize(path);
  if (posix.isAbsolute(normalized) || normalized === '..' || normalized.startsWith('../')) {
    throw new CertkitError(
      'STORE_INVALID',
      `store path "${path}" leaves the store root ${root}; only relative paths inside it are allowed`,
    );
  }
  return normalized;
}

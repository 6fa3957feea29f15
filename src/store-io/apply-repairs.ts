import { randomBytes } from 'node:crypto';
import { chmod, copyFile, constants, mkdir, rename, symlink, unlink } from 'node:fs/promises';
import { dirname, join, posix, resolve } from 'node:path';
import { CertkitError } from '../errors.js';
import type { Repair } from '../store/repair.js';

/** The four operations a repair needs; paths are relative to the store root. Local disk here, Docker elsewhere. */
export interface StoreWriter {
  /** Replace whatever is at `path` by a symlink with this text, in one step. */
  symlink(path: string, target: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  /** Copy bytes and mode; fails when `to` exists, so nothing is overwritten. */
  copy(from: string, to: string): Promise<void>;
}

export interface AppliedRepair {
  repair: Repair;
  ok: boolean;
  error?: unknown;
}

/**
 * Applies repairs in order and stops at the first failure: later steps assume earlier ones (a link to a version
 * that a failed copy never wrote would dangle). Returns every step tried, the failed one last.
 */
export async function applyRepairs(repairs: readonly Repair[], writer: StoreWriter): Promise<AppliedRepair[]> {
  const applied: AppliedRepair[] = [];
  for (const repair of repairs) {
    try {
      await applyRepair(repair, writer);
      applied.push({ repair, ok: true });
    } catch (error) {
      applied.push({ repair, ok: false, error });
      break;
    }
  }
  return applied;
}

function applyRepair(repair: Repair, writer: StoreWriter): Promise<void> {
  switch (repair.kind) {
    case 'symlink':
      return writer.symlink(repair.path, repair.target);
    case 'rename':
      return writer.rename(repair.from, repair.to);
    case 'chmod':
      return writer.chmod(repair.path, repair.mode);
    case 'copy':
      return writer.copy(repair.from, repair.to);
  }
}

/** Checks a repair path is relative and stays inside the store; returns it normalized. */
export function checkStoreRelative(path: string, root: string): string {
  const normalized = posix.normalize(path);
  if (posix.isAbsolute(normalized) || normalized === '..' || normalized.startsWith('../')) {
    throw new CertkitError('STORE_INVALID', `repair path "${path}" leaves the store root ${root}; only relative paths inside it are allowed`);
  }
  return normalized;
}

/** A StoreWriter on a local directory (a bind-mounted /etc/letsencrypt, or a test fixture). */
export function createLocalStoreWriter(rootDir: string): StoreWriter {
  const root = resolve(rootDir);
  const at = (path: string): string => join(root, ...checkStoreRelative(path, root).split('/'));
  return {
    async symlink(path, target) {
      const final = at(path);
      await mkdir(dirname(final), { recursive: true });
      // rename(2) over the old entry is atomic: readers see the old file or the new link, never nothing.
      const temp = `${final}.certkit-${randomBytes(6).toString('hex')}.tmp`;
      await symlink(target, temp);
      try {
        await rename(temp, final);
      } catch (error) {
        await unlink(temp).catch(() => undefined);
        throw error;
      }
    },
    async rename(from, to) {
      await mkdir(dirname(at(to)), { recursive: true });
      await rename(at(from), at(to));
    },
    async chmod(path, mode) {
      await chmod(at(path), mode);
    },
    async copy(from, to) {
      await mkdir(dirname(at(to)), { recursive: true });
      // libuv's copyfile gives the copy the source's mode; COPYFILE_EXCL refuses to overwrite.
      await copyFile(at(from), at(to), constants.COPYFILE_EXCL);
    },
  };
}


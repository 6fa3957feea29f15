import { randomBytes } from 'node:crypto';
import { chmod, copyFile, constants, mkdir, rename, symlink, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { checkStoreRelative, type StoreWriter } from './store-writer.js';

/** A StoreWriter on a local directory (a bind-mounted /etc/letsencrypt, `--store DIR`, or a test fixture). */
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
    async remove(path) {
      await unlink(at(path));
    },
  };
}

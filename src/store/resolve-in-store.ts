/** What a path of the store is, as far as following links goes. */
export type NodeKind = 'directory' | 'file' | 'symlink';

/** The store as a tree of store paths (`live/x/cert.pem`); the root is ''. */
export interface StoreTree {
  kind(path: string): NodeKind | undefined;
  /** A symlink's text. */
  linkText(path: string): string;
}

export type Resolution = { outcome: 'inside'; path: string } | { outcome: 'escapes'; via: string[] } | { outcome: 'loop'; via: string[] };

/** Linux follows at most 40 symlinks while resolving one path (MAXSYMLINKS); past that open(2) fails with ELOOP. */
export const MAX_SYMLINK_HOPS = 40;

/**
 * Follows the symlink at `linkPath` as the kernel would in the certbot container, where the store is mounted at
 * `mountPath`: each component in turn, every symlink met on the way (chains, links to folders, `..` after a link)
 * expanded. `..` above the store root leaves it; an absolute text re-enters only through `mountPath` itself.
 * A component that does not exist is taken as a plain folder and resolution goes on by name: a link that dangles
 * today must not leave the store once something is written where it points. `via` lists the links followed.
 */
export function resolveSymlink(tree: StoreTree, linkPath: string, mountPath: string): Resolution {
  const mount = splitPath(mountPath);
  const via = [linkPath];
  let current = splitPath(linkPath).slice(0, -1);
  let pending = [...splitPath(tree.linkText(linkPath))];
  if (tree.linkText(linkPath).startsWith('/')) {
    const entered = enterMount(pending, mount);
    if (entered === null) return { outcome: 'escapes', via };
    [current, pending] = [[], entered];
  }
  let hops = 1;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '..') {
      if (current.length === 0) return { outcome: 'escapes', via };
      current.pop();
      continue;
    }
    const path = [...current, part].join('/');
    if (tree.kind(path) !== 'symlink') {
      current.push(part);
      continue;
    }
    hops += 1;
    via.push(path);
    if (hops > MAX_SYMLINK_HOPS) return { outcome: 'loop', via };
    const text = tree.linkText(path);
    if (text.startsWith('/')) {
      const entered = enterMount(splitPath(text), mount);
      if (entered === null) return { outcome: 'escapes', via };
      current = [];
      pending = [...entered, ...pending];
    } else {
      pending = [...splitPath(text), ...pending];
    }
  }
  return { outcome: 'inside', path: current.join('/') };
}

/** Components of a path, without the empty and `.` ones (no-ops for the kernel). */
function splitPath(path: string): string[] {
  return path.split('/').filter((part) => part !== '' && part !== '.');
}

/** The components after the mount path, when an absolute text starts with it; null when it starts anywhere else. */
function enterMount(parts: readonly string[], mount: readonly string[]): string[] | null {
  return mount.every((part, index) => parts[index] === part) ? parts.slice(mount.length) : null;
}

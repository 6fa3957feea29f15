import { archiveProblem, checkEntryName, type ArchiveProblem, type ArchiveProblemKind } from './archive-safety.js';
import { linkTextProblem, pathLimitProblem } from './path-limits.js';
import { resolveSymlink, type NodeKind } from './resolve-in-store.js';

/** One archive entry as restore reads it (headers only), in archive order. */
export interface RestoreEntry {
  /** The name as the archive means it (PAX path, GNU long name, or ustar prefix and name), before any stripping. */
  name: string;
  /** The store path it names (top folder stripped, `.` and empty components dropped); '' for the store folder itself. */
  path: string;
  /** 'file', 'directory', 'symlink', 'hardlink', or the raw tar type of anything else ('fifo'…). */
  type: string;
  /** Symlink: its text as written. Hardlink: the store path of its target. */
  linkTarget?: string;
  /** A hardlink whose target is named outside the top folder that was stripped. */
  linkOutside?: boolean;
}

export interface RestoreTarget {
  /** Where the store is mounted in the certbot container: symlinks are followed as they would be there. */
  mountPath: string;
  /** The folder entries are written into first (the longest paths they have on disk). */
  stagePath: string;
}

/** Entries to write: the last entry of each path, in archive order (earlier ones are overridden, as tar extracts). */
export interface RestorePlan {
  problems: ArchiveProblem[];
  written: Array<{ index: number; path: string }>;
}

interface Node {
  kind: NodeKind | 'hardlink';
  /** The entry that made it; -1 for a folder only implied by the paths below it. */
  index: number;
  text?: string;
}

/**
 * Replays an archive's extraction on a tree of names, nothing written, and reports every entry no store may hold:
 * names past Linux's limits or read differently by tar programs, entries written under a symlink or a file, hardlinks
 * to a folder, a symlink, a later entry or one a later entry replaces, and symlinks whose whole chain, followed as
 * the kernel follows it in the certbot container, leaves the store or loops. Every entry is checked, overridden
 * ones included; links are resolved in the tree the archive leaves behind.
 */
export function planRestore(entries: readonly RestoreEntry[], target: RestoreTarget): RestorePlan {
  const problems: ArchiveProblem[] = [];
  const tree = new ExtractionTree();
  const hardlinks: Array<{ path: string; index: number; target: string; targetIndex: number }> = [];
  for (const [index, entry] of entries.entries()) {
    const report = (kind: ArchiveProblemKind, message: string) => problems.push(archiveProblem(entry.path || entry.name, kind, message));
    const before = problems.length;
    problems.push(...checkNames(entry, target));
    if (problems.length > before) continue;
    if (entry.path === '') {
      if (entry.type !== 'directory') report('ambiguous-name', `is a ${entry.type} named as the store folder itself`);
      continue;
    }
    const blocked = tree.blockingAncestor(entry.path);
    if (blocked !== null) {
      report(
        blocked.kind === 'symlink' ? 'through-symlink' : 'ambiguous-name',
        blocked.kind === 'symlink'
          ? `is written through the symlink ${blocked.path}, so it could land anywhere that link points`
          : `is written under ${blocked.path}, which the archive makes a file`,
      );
      continue;
    }
    if (entry.type === 'hardlink') {
      const linked = checkHardlink(entry, tree);
      if (typeof linked === 'string') {
        report('hardlink-target', linked);
        continue;
      }
      hardlinks.push({ path: entry.path, index, target: entry.linkTarget as string, targetIndex: linked.index });
    }
    const kind = entry.type === 'hardlink' ? 'hardlink' : (entry.type as NodeKind);
    tree.put(entry.path, entry.linkTarget === undefined ? { kind, index } : { kind, index, text: entry.linkTarget });
  }
  for (const link of hardlinks) {
    if (tree.get(link.path)?.index === link.index && tree.get(link.target)?.index !== link.targetIndex)
      problems.push(
        archiveProblem(
          link.path,
          'hardlink-target',
          `hardlink to ${link.target}, which a later entry of the archive replaces; tar programs disagree on what the link then holds`,
        ),
      );
  }
  const view = {
    kind: (path: string) => {
      const kind = tree.get(path)?.kind;
      return kind === 'hardlink' ? 'file' : kind;
    },
    linkText: (path: string) => tree.get(path)?.text ?? '',
  };
  const written: RestorePlan['written'] = [];
  for (const [path, node] of tree.entries()) {
    if (node.index >= 0) written.push({ index: node.index, path });
    if (node.kind !== 'symlink') continue;
    const resolved = resolveSymlink(view, path, target.mountPath);
    if (resolved.outcome === 'inside') continue;
    const chain = resolved.via.length > 1 ? ` (by way of ${resolved.via.join(' → ')})` : '';
    problems.push(
      resolved.outcome === 'escapes'
        ? archiveProblem(path, 'escaping-symlink', `symlink to ${node.text ?? ''}, which resolves outside ${target.mountPath}${chain}`)
        : archiveProblem(path, 'symlink-loop', `symlink to ${node.text ?? ''}, which loops or chains more than 40 links${chain}`),
    );
  }
  written.sort((a, b) => a.index - b.index);
  return { problems, written };
}

/** What an entry's own name and link text say: the checks of archive-safety.ts and Linux's length limits. */
function checkNames(entry: RestoreEntry, target: RestoreTarget): ArchiveProblem[] {
  const problems = checkEntryName({ path: entry.path || entry.name, type: entry.type, linkTarget: entry.linkTarget });
  const report = (kind: ArchiveProblemKind, message: string) => problems.push(archiveProblem(entry.path || entry.name, kind, message));
  const linked = entry.type === 'hardlink' ? (entry.linkTarget ?? '') : '';
  if (linked.startsWith('/')) report('absolute-path', `hardlink to the absolute path ${linked}, outside the archive root`);
  else if (linked.split('/').includes('..')) report('parent-component', `hardlink to ${linked}, which contains ".."`);
  if (problems.length > 0) return problems;
  if (`${entry.name}\u0000${entry.linkTarget ?? ''}`.includes('\uFFFD'))
    report('ambiguous-name', 'has a name or link target that is not valid UTF-8, which tar programs read differently');
  if (entry.type !== 'directory' && entry.name.endsWith('/'))
    report('ambiguous-name', `is a ${entry.type} whose name ends in "/", which names a folder`);
  const pathProblem = entry.path === '' ? null : pathLimitProblem(entry.path, target.stagePath);
  if (pathProblem !== null) report('too-long', pathProblem);
  if (entry.type === 'symlink' && (entry.linkTarget ?? '') === '') report('ambiguous-name', 'is a symlink with no target');
  const textProblem = entry.type === 'symlink' ? linkTextProblem(entry.linkTarget ?? '') : null;
  if (textProblem !== null) report('too-long', textProblem);
  return problems;
}

/** Why a hardlink cannot be written as the archive means it, or the node it links to. */
function checkHardlink(entry: RestoreEntry, tree: ExtractionTree): Node | string {
  const target = entry.linkTarget ?? '';
  if (entry.linkOutside === true) return `hardlink to ${target}, outside the folder the archive is restored from`;
  if (target === entry.path) return 'hardlink to itself';
  const node = tree.get(target);
  if (node === undefined) return `hardlink to "${target}", which is not an entry earlier in the archive`;
  if (node.kind === 'directory') return `hardlink to the folder ${target}; Linux does not hardlink folders`;
  if (node.kind === 'symlink')
    return `hardlink to the symlink ${target}: it would be a second symlink read from another folder; store the symlink itself`;
  return node;
}

/** The names an extraction has made so far: a path replaced by another type takes its whole subtree with it. */
class ExtractionTree {
  private readonly nodes = new Map<string, Node>([['', { kind: 'directory', index: -1 }]]);
  private readonly children = new Map<string, Set<string>>();

  get(path: string): Node | undefined {
    return this.nodes.get(path);
  }

  entries(): IterableIterator<[string, Node]> {
    return this.nodes.entries();
  }

  /** The nearest ancestor that is not a folder (a symlink or a file), or null when every one is a folder or absent. */
  blockingAncestor(path: string): { path: string; kind: Node['kind'] } | null {
    const parts = path.split('/');
    for (let end = 1; end < parts.length; end += 1) {
      const ancestor = parts.slice(0, end).join('/');
      const node = this.nodes.get(ancestor);
      if (node !== undefined && node.kind !== 'directory') return { path: ancestor, kind: node.kind };
    }
    return null;
  }

  /** Writes a node as extraction does: a folder over a folder keeps what is below it; anything else replaces. */
  put(path: string, node: Node): void {
    const existing = this.nodes.get(path);
    if (existing?.kind === 'directory' && node.kind === 'directory') {
      existing.index = node.index;
      return;
    }
    if (existing !== undefined) this.remove(path);
    const parts = path.split('/');
    for (let end = 1; end <= parts.length; end += 1) {
      const current = parts.slice(0, end).join('/');
      const parent = parts.slice(0, end - 1).join('/');
      if (!this.children.has(parent)) this.children.set(parent, new Set());
      this.children.get(parent)?.add(current);
      if (end < parts.length && !this.nodes.has(current)) this.nodes.set(current, { kind: 'directory', index: -1 });
    }
    this.nodes.set(path, node);
  }

  private remove(path: string): void {
    for (const child of this.children.get(path) ?? []) this.remove(child);
    this.children.delete(path);
    this.nodes.delete(path);
  }
}

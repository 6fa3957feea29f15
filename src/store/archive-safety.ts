import { posix } from 'node:path';
import { CertkitError } from '../errors.js';

/** A tar entry as far as safety goes. `type` is a snapshot type or a raw tar type (`fifo`, `character-device`…). */
export interface ArchiveEntry {
  path: string;
  type: string;
  linkTarget?: string;
}

export type ArchiveProblemKind =
  | 'absolute-path'
  | 'parent-component'
  | 'escaping-symlink'
  | 'through-symlink'
  | 'hardlink-target'
  | 'special-file'
  | 'control-character'
  /** A name, path or link text past what Linux accepts (NAME_MAX, PATH_MAX). */
  | 'too-long'
  /** A name tar programs read differently, or that cannot be written as the archive gives it. */
  | 'ambiguous-name'
  | 'symlink-loop';

export interface ArchiveProblem {
  path: string;
  kind: ArchiveProblemKind;
  message: string;
}

const REGULAR_TYPES = new Set(['file', 'directory', 'symlink', 'hardlink']);

/** What a tar or snapshot type is, in words, for entries a store never holds. */
const SPECIAL_TYPES: Record<string, string> = {
  'character-device': 'a character device',
  'block-device': 'a block device',
  fifo: 'a FIFO (named pipe)',
  other: 'an entry of a type tar does not name',
};

// Newlines, tabs, escapes and other control characters: no certbot file name has one, and a newline in a name can
// forge lines in any listing or log that shows it.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/**
 * Finds entries that would write or point outside the folder an archive is unpacked into. Hardlinks must name an
 * entry written earlier, because extraction (and Docker's putArchive) follows archive order (seed 004).
 */
export function checkArchiveEntries(entries: readonly ArchiveEntry[]): ArchiveProblem[] {
  const problems: ArchiveProblem[] = [];
  const seen = new Set<string>();
  const symlinks = new Set<string>();
  const report = (path: string, kind: ArchiveProblemKind, message: string) => problems.push(archiveProblem(path, kind, message));
  for (const entry of entries) {
    const path = entry.path.replace(/\/+$/, '');
    problems.push(...checkEntryName(entry));
    const ancestor = findSymlinkAncestor(path, symlinks);
    if (ancestor !== null)
      report(entry.path, 'through-symlink', `is written through the symlink ${ancestor}, so it could land anywhere that link points`);
    if (entry.type === 'symlink') {
      const target = entry.linkTarget ?? '';
      if (target.startsWith('/'))
        report(entry.path, 'escaping-symlink', `symlink to the absolute path ${target}, outside the archive root`);
      else if (escapesRoot(posix.join(posix.dirname(path), target)))
        report(entry.path, 'escaping-symlink', `symlink to ${target}, which resolves outside the archive root`);
      symlinks.add(posix.normalize(path));
    }
    if (entry.type === 'hardlink') {
      const target = posix.normalize((entry.linkTarget ?? '').replace(/\/+$/, ''));
      if (!seen.has(target))
        report(entry.path, 'hardlink-target', `hardlink to "${entry.linkTarget ?? ''}", which is not an entry earlier in the archive`);
    }
    seen.add(posix.normalize(path));
  }
  return problems;
}

/**
 * What one entry's name, link text and type say on their own, whatever else the archive holds: control characters,
 * an absolute path, `..`, a device or FIFO.
 */
export function checkEntryName(entry: ArchiveEntry): ArchiveProblem[] {
  const problems: ArchiveProblem[] = [];
  const report = (kind: ArchiveProblemKind, message: string) => problems.push(archiveProblem(entry.path, kind, message));
  const path = entry.path.replace(/\/+$/, '');
  if (CONTROL_CHARACTER.test(entry.path) || CONTROL_CHARACTER.test(entry.linkTarget ?? ''))
    report(
      'control-character',
      `has a control character (newline, tab, escape…) in its ${CONTROL_CHARACTER.test(entry.path) ? 'name' : 'link target'}, which no certificate store uses`,
    );
  if (path.startsWith('/')) report('absolute-path', 'absolute path; entries must be relative to the archive root');
  else if (path.split('/').includes('..')) report('parent-component', 'contains "..", which would write outside the archive root');
  if (!REGULAR_TYPES.has(entry.type))
    report(
      'special-file',
      `is ${SPECIAL_TYPES[entry.type] ?? `an entry of type "${entry.type}"`}; a certificate store holds only files, folders and links`,
    );
  return problems;
}

/** A problem whose message starts with the entry's name (quoted when it holds a control character). */
export function archiveProblem(path: string, kind: ArchiveProblemKind, message: string): ArchiveProblem {
  return { path, kind, message: `${CONTROL_CHARACTER.test(path) ? JSON.stringify(path) : path}: ${message}` };
}

/** Throws ARCHIVE_UNSAFE listing every problem, or returns when there are none. */
export function assertArchiveSafe(entries: readonly ArchiveEntry[], kinds?: readonly ArchiveProblemKind[]): void {
  assertNoArchiveProblems(checkArchiveEntries(entries).filter((problem) => kinds === undefined || kinds.includes(problem.kind)));
}

/** Throws ARCHIVE_UNSAFE naming each entry (the first twenty in the message, all in details), or returns when none. */
export function assertNoArchiveProblems(problems: readonly ArchiveProblem[]): void {
  if (problems.length === 0) return;
  const shown = problems.slice(0, 20).map((problem) => `  ${problem.message}`);
  const more = problems.length > shown.length ? [`  … and ${problems.length - shown.length} more`] : [];
  throw new CertkitError(
    'ARCHIVE_UNSAFE',
    [
      `refusing an archive with ${problems.length} unsafe entr${problems.length === 1 ? 'y' : 'ies'}; nothing was written:`,
      ...shown,
      ...more,
    ].join('\n'),
    {
      details: problems.map((problem) => problem.message),
    },
  );
}

function escapesRoot(joined: string): boolean {
  const normalized = posix.normalize(joined);
  return normalized === '..' || normalized.startsWith('../');
}

function findSymlinkAncestor(path: string, symlinks: ReadonlySet<string>): string | null {
  const parts = posix.normalize(path).split('/');
  for (let end = 1; end < parts.length; end += 1) {
    const prefix = parts.slice(0, end).join('/');
    if (symlinks.has(prefix)) return prefix;
  }
  return null;
}

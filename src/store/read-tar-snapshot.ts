import { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import type { Header } from 'tar-stream';
import { assertArchiveSafe } from './archive-safety.js';
import type { ArchiveEntry } from './archive-safety.js';
import type { StoreEntry, StoreEntryType, StoreSnapshot } from './snapshot.js';
import { shouldKeepContent } from './snapshot.js';
import { checkEntryLimits, countUnpackedBytes } from './tar-limits.js';
import { checkTarFraming } from './tar-framing.js';
import type { TarLimits } from './tar-limits.js';

export interface ReadTarOptions {
  /**
   * Folder to strip from every name. Docker's getArchive puts the archived folder's own name in front
   * (`letsencrypt/live/…`); by default a single top-level folder holding everything is stripped, unless it is
   * one of certbot's own (live, archive, renewal…).
   */
  stripFolder?: string | false;
}

interface RawEntry {
  header: Header;
  content?: Buffer;
}

/** A tar entry with its name relative to the store root (the top folder stripped); hardlink targets likewise. */
export interface TarItem {
  path: string;
  header: Header;
  /** For hardlinks, the target's store path; for symlinks, the link text as written. */
  linkTarget: string | undefined;
  content?: Buffer;
}

/**
 * Builds a snapshot from a tar stream, in archive order. Names that would leave the root are refused
 * (ARCHIVE_UNSAFE); links that point outside are kept, because seeing them is what analysis is for.
 */
export async function readTarSnapshot(
  input: NodeJS.ReadableStream | AsyncIterable<Buffer>,
  options: ReadTarOptions = {},
): Promise<StoreSnapshot> {
  const items = await readTarItems(input, {
    ...options,
    keepContent: (header) => header.type === 'file' && shouldKeepContent(header.name),
  });
  const entries = items.map(({ path, header, linkTarget, content }) => {
    const entry = toEntry(header, content);
    if (linkTarget !== undefined) entry.linkTarget = linkTarget;
    return { path, entry };
  });
  const forSafety: ArchiveEntry[] = entries.map(({ path, entry }) => ({ path, type: entry.type, linkTarget: entry.linkTarget }));
  assertArchiveSafe(forSafety, ['absolute-path', 'parent-component', 'hardlink-target']);
  return new Map(entries.map(({ path, entry }) => [path, entry]));
}

/**
 * The one tar reader: the snapshot reader and restore both read archives through it, so the top folder is stripped
 * by one rule. `keepContent` says whose bytes to keep (every entry's data is read either way). With `limits`, reading
 * stops at the first limit crossed (see tar-limits.ts), so memory stays bounded whatever the archive holds.
 */
export async function readTarItems(
  input: NodeJS.ReadableStream | AsyncIterable<Buffer>,
  options: ReadTarOptions & TarStreamOptions & { keepContent: (header: Header) => boolean },
): Promise<TarItem[]> {
  const raw: RawEntry[] = [];
  await forEachTarEntry(input, options, async (stream) => {
    const keep = options.keepContent(stream.header);
    const chunks: Buffer[] = [];
    // Every entry's data must be drained, kept or not, or the extractor stalls.
    for await (const chunk of stream) if (keep) chunks.push(chunk as Buffer);
    raw.push(keep ? { header: stream.header, content: Buffer.concat(chunks) } : { header: stream.header });
  });
  const strip = storePathRule(
    raw.map(({ header }) => header),
    options.stripFolder,
  );
  const items: TarItem[] = [];
  for (const { header, content } of raw) {
    const named = strip(header);
    if (named === null) continue;
    items.push(content === undefined ? { ...named, header } : { ...named, header, content });
  }
  return items;
}

export interface TarStreamOptions {
  limits?: TarLimits;
  /** Refuse framing that tar programs read differently, and an archive cut short (see tar-framing.ts). */
  strictFraming?: boolean;
  /** What the archive is called in error messages (a file name). */
  source?: string;
}

/**
 * Streams a tar's entries, in order, to `onEntry`, which must consume each entry's data before it resolves. With
 * `limits`, the unpacked bytes are counted as they arrive and every header is checked before its data is read.
 */
export async function forEachTarEntry(
  input: NodeJS.ReadableStream | AsyncIterable<Buffer>,
  options: TarStreamOptions,
  onEntry: (stream: Readable & { header: Header }, index: number) => Promise<void>,
): Promise<void> {
  const extractor = extract();
  const source = Readable.from(input as AsyncIterable<Buffer>);
  const name = options.source ?? 'the archive';
  // The first error of the input or a check: an entry's stream then closes early, and that is not the cause.
  let inputError: Error | undefined;
  const fail = (error: Error) => {
    inputError ??= error;
    extractor.destroy(error);
  };
  let piped: Readable = source;
  for (const stage of [
    options.strictFraming === true ? checkTarFraming(name) : undefined,
    options.limits === undefined ? undefined : countUnpackedBytes(options.limits, name),
  ]) {
    if (stage === undefined) continue;
    piped.on('error', fail);
    piped = piped.pipe(stage);
  }
  piped.on('error', fail);
  piped.pipe(extractor);
  try {
    let index = 0;
    for await (const stream of extractor) {
      if (options.limits !== undefined) checkEntryLimits(stream.header, index, options.limits, name);
      await onEntry(stream as unknown as Readable & { header: Header }, index);
      index += 1;
    }
  } catch (error) {
    throw inputError ?? error;
  } finally {
    source.destroy();
  }
}

/**
 * The rule that turns a tar entry's name into a store path: empty and `.` components dropped (`./live//x` is
 * `live/x`), then the single top folder (Docker's getArchive wraps the archived folder in its own name; `tar -C /etc
 * letsencrypt` does too) stripped, or the folder named by `stripFolder`. An absolute name keeps its leading `/`, so
 * it can be refused. Returns null for the store folder itself. Hardlink targets are stripped the same way (one named
 * outside the stripped folder is flagged); symlink texts are kept as written.
 */
export function storePathRule(
  headers: readonly Header[],
  stripFolder: string | false | undefined,
  options: { nested?: boolean } = {},
): (header: Header) => { path: string; linkTarget: string | undefined; linkOutside: boolean } | null {
  const prefix =
    stripFolder === undefined
      ? findSingleFolder(headers, options.nested === true ? Number.POSITIVE_INFINITY : 1)
      : stripFolder === false
        ? null
        : splitName(stripFolder).join('/');
  const strip = (name: string): { path: string; outside: boolean } => {
    const parts = splitName(name);
    const joined = parts.join('/');
    if (name.startsWith('/')) return { path: `/${joined}`, outside: prefix !== null };
    if (prefix === null) return { path: joined, outside: false };
    if (joined === prefix || prefix.startsWith(`${joined}/`)) return { path: '', outside: false };
    return joined.startsWith(`${prefix}/`) ? { path: joined.slice(prefix.length + 1), outside: false } : { path: joined, outside: true };
  };
  return (header) => {
    const { path } = strip(header.name);
    if (path === '') return null;
    if (!header.linkname) return { path, linkTarget: undefined, linkOutside: false };
    if (header.type !== 'link') return { path, linkTarget: header.linkname, linkOutside: false };
    const target = strip(header.linkname);
    return { path, linkTarget: target.path, linkOutside: target.outside };
  };
}

function splitName(name: string): string[] {
  return name.split('/').filter((part) => part !== '' && part !== '.');
}

const STORE_FOLDERS = new Set(['accounts', 'archive', 'csr', 'keys', 'live', 'renewal', 'renewal-hooks']);

/**
 * The folders every entry is under (`letsencrypt`; with `levels` above one, `etc/letsencrypt` from `tar czf b.tgz
 * /etc/letsencrypt`), while none is one of certbot's own (a store with only renewal/, say, is not wrapped) and no
 * entry makes one anything but a folder; null when there is none. Docker's getArchive wraps in one level only: a
 * deploy folder holding one certificate (`deploy/NAME/…`) keeps its NAME.
 */
function findSingleFolder(headers: readonly Header[], levels: number): string | null {
  const names = headers.map((header) => ({
    parts: splitName(header.name),
    folder: header.type === 'directory',
    absolute: header.name.startsWith('/'),
  }));
  const first = names[0];
  if (first === undefined || names.some((name) => name.absolute)) return null;
  const prefix: string[] = [];
  while (prefix.length < levels) {
    const depth = prefix.length;
    const folder = first.parts[depth] ?? names.find((name) => name.parts.length > depth)?.parts[depth];
    if (folder === undefined || folder === '..' || STORE_FOLDERS.has(folder)) break;
    // Folder entries of the prefix so far (`etc/`) stay; every other entry must be inside `folder`.
    const inside = names.every((name) =>
      name.parts.length <= depth ? name.folder : name.parts[depth] === folder && (name.parts.length > depth + 1 || name.folder),
    );
    if (!inside || !names.some((name) => name.parts.length > depth + 1)) break;
    prefix.push(folder);
  }
  return prefix.length === 0 ? null : prefix.join('/');
}

function toEntry(header: Header, content: Buffer | undefined): StoreEntry {
  const entry: StoreEntry = {
    type: tarEntryType(header.type),
    mode: (header.mode ?? 0) & 0o7777,
    uid: header.uid ?? 0,
    gid: header.gid ?? 0,
    size: header.size ?? 0,
    mtime: header.mtime ?? new Date(0),
  };
  if (content !== undefined) entry.content = content;
  return entry;
}

/** A tar header's type as a store entry type (a tar 'link' is a hardlink). */
export function tarEntryType(type: Header['type'] | undefined): StoreEntryType {
  if (type === undefined) return 'file';
  switch (type) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
      return 'directory';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'hardlink';
    default:
      return 'other';
  }
}

import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { pack, type Header } from 'tar-stream';
import type { Engine, ServiceContainer } from '../docker/engine.js';
import { CertkitError, isCertkitError } from '../errors.js';
import { CONTAINER_PATHS } from '../stack/layout.js';
import { assertNoArchiveProblems } from '../store/archive-safety.js';
import { planRestore, type RestoreEntry, type RestorePlan } from '../store/plan-restore.js';
import { forEachTarEntry, readTarSnapshot, storePathRule, tarEntryType } from '../store/read-tar-snapshot.js';
import { writableHeader } from '../store/tar-header.js';
import { RESTORE_LIMITS, type TarLimits } from '../store/tar-limits.js';
import { discardStaged, stageName, swapInStaged } from './restore-swap.js';

/** Folders whose presence means the store is in use and a restore would overwrite something. */
const STORE_CONTENT = /^(live|archive|renewal|accounts)\/./;

export interface RestoreResult {
  entries: number;
  lineages: number;
  /** The old store's folder, when it could not be removed after the swap. */
  leftBehind?: string;
}

/**
 * `certkit restore FILE`: all or nothing. The archive is read twice, streaming both times, so memory stays bounded
 * whatever it holds. The first pass keeps headers only; planRestore then checks every entry before anything is
 * written (see plan-restore.ts), and a store in use is not replaced unless `overwrite`. The second pass writes the
 * entries, in archive order, into a fresh folder inside the store through the Docker archive API; once all are
 * there, one python3 run swaps it with the old store's content. A write that fails (the engine, a full disk) removes
 * the staged folder and leaves the old store untouched.
 */
export async function restoreStore(
  engine: Engine,
  certbot: Pick<ServiceContainer, 'name'>,
  file: string,
  options: { overwrite: boolean; limits?: TarLimits },
): Promise<RestoreResult> {
  const limits = options.limits ?? RESTORE_LIMITS;
  const token = randomBytes(6).toString('hex');
  const stage = stageName(token);
  const headers = await readArchive(file, limits, async () => undefined);
  const entries = restoreEntries(headers);
  const plan = planRestore(entries, { mountPath: CONTAINER_PATHS.letsencrypt, stagePath: `${CONTAINER_PATHS.letsencrypt}/${stage}` });
  assertNoArchiveProblems(plan.problems);
  if (!plan.written.some((item) => STORE_CONTENT.test(item.path))) {
    const top = [...new Set(entries.slice(0, 3).map((entry) => entry.name))].join(', ');
    throw new CertkitError(
      'ARCHIVE_UNSAFE',
      `${file} holds no certbot store (no live/, archive/, renewal/ or accounts/ entries${top === '' ? '' : `; it starts with ${top}`}); nothing was written. Give a backup whose entries are the store's content, or one folder holding it.`,
    );
  }
  if (!options.overwrite) await refuseStoreInUse(engine, certbot);
  await writeStaged(engine, certbot, file, { limits, headers, entries, plan, token });
  const swapped = await swapInStaged(engine, certbot.name, token);
  const result: RestoreResult = {
    entries: plan.written.length,
    lineages: plan.written.filter((item) => /^renewal\/[^/]+\.conf$/.test(item.path)).length,
  };
  if (swapped.leftBehind !== undefined) result.leftBehind = swapped.leftBehind;
  return result;
}

/** Each header as planRestore reads it: names as the archive means them, the folders wrapping the store stripped. */
export function restoreEntries(headers: readonly Header[]): RestoreEntry[] {
  const rule = storePathRule(headers, undefined, { nested: true });
  return headers.map((header) => {
    const named = rule(header);
    const type = tarEntryType(header.type);
    const entry: RestoreEntry = { name: header.name, path: named?.path ?? '', type: type === 'other' ? (header.type ?? 'other') : type };
    if (named?.linkTarget !== undefined) entry.linkTarget = named.linkTarget;
    else if (type === 'symlink' || type === 'hardlink') entry.linkTarget = '';
    if (named?.linkOutside === true) entry.linkOutside = true;
    return entry;
  });
}

async function refuseStoreInUse(engine: Engine, certbot: Pick<ServiceContainer, 'name'>): Promise<void> {
  const current = await readTarSnapshot(await engine.getArchive(certbot.name, CONTAINER_PATHS.letsencrypt));
  const inUse = [...current.keys()].filter((path) => STORE_CONTENT.test(path));
  if (inUse.length > 0) {
    throw new CertkitError(
      'USAGE',
      `the store in ${certbot.name} is not empty (${inUse.length} entries such as ${inUse[0]}); nothing was written. Back it up first (\`certkit backup\`), then restore with --force to replace it.`,
    );
  }
}

/**
 * The second pass: the planned entries under the staging folder, streamed to putArchive. Each header is compared
 * with the first pass's, so a file changed in between is caught; any failure removes what was staged.
 */
async function writeStaged(
  engine: Engine,
  certbot: Pick<ServiceContainer, 'name'>,
  file: string,
  input: { limits: TarLimits; headers: readonly Header[]; entries: readonly RestoreEntry[]; plan: RestorePlan; token: string },
): Promise<void> {
  const { headers, entries } = input;
  const stage = stageName(input.token);
  const written = new Set(input.plan.written.map((item) => item.index));
  const tar = pack();
  tar.entry({ name: stage, type: 'directory', mode: 0o700, uid: 0, gid: 0 });
  const changed = () => new CertkitError('ARCHIVE_UNSAFE', `${file} changed while it was being restored; nothing was restored.`);
  let streamError: Error | undefined;
  const streamed = (async () => {
    try {
      const second = await readArchive(file, input.limits, async (stream, index) => {
        const first = headers[index];
        const entry = entries[index];
        if (first === undefined || entry === undefined || !sameHeader(first, stream.header)) throw changed();
        if (!written.has(index)) return;
        const linkname =
          entry.type === 'hardlink' ? `${stage}/${entry.linkTarget ?? ''}` : entry.type === 'symlink' ? entry.linkTarget : undefined;
        const header = writableHeader(stream.header, `${stage}/${entry.path}`, linkname);
        if (header.type === 'file') await pipeline(stream, tar.entry(header));
        else tar.entry(header);
      });
      if (second.length !== headers.length) throw changed();
      tar.finalize();
    } catch (error) {
      streamError = error instanceof Error ? error : new Error(String(error));
      tar.destroy(streamError);
    }
  })();
  try {
    await engine.putArchive(certbot.name, CONTAINER_PATHS.letsencrypt, Readable.from(tar));
    await streamed;
    if (streamError !== undefined) throw streamError;
  } catch (error) {
    // A stream that failed first made the put fail; otherwise the put's own error is the cause (the stream then
    // fails only because the put stopped reading).
    const cause = streamError ?? error;
    tar.destroy();
    await streamed;
    const left = await discardStaged(engine, certbot.name, input.token);
    const leftover = left === undefined ? '' : ` Remove the half-written copy by hand: ${left}.`;
    const reason = isCertkitError(cause) ? cause.message : (cause as Error).message;
    throw new CertkitError(
      isCertkitError(cause) ? cause.code : 'DOCKER_FAILED',
      `restore failed while writing the backup into ${certbot.name} (${reason}); the store was left as it was.${leftover}`,
      { cause },
    );
  }
}

function sameHeader(a: Header, b: Header): boolean {
  return a.name === b.name && a.type === b.type && a.size === b.size && (a.linkname ?? '') === (b.linkname ?? '');
}

/** One streaming pass over a .tar.gz; returns every header (never any data). Read errors become ARCHIVE_UNSAFE. */
async function readArchive(
  file: string,
  limits: TarLimits,
  onEntry: (stream: Readable & { header: Header }, index: number) => Promise<void>,
): Promise<Header[]> {
  const headers: Header[] = [];
  const compressed = createReadStream(file);
  try {
    await forEachTarEntry(compressed.pipe(createGunzip()), { limits, source: file, strictFraming: true }, async (stream, index) => {
      headers.push(stream.header);
      await onEntry(stream, index);
      if (!stream.readableEnded) {
        stream.resume();
        await finished(stream);
      }
    });
    return headers;
  } catch (error) {
    if (isCertkitError(error)) throw error;
    const message = (error as Error).message;
    const cut = /unexpected end of file/i.test(message) ? ': it is cut short' : '';
    throw new CertkitError('ARCHIVE_UNSAFE', `${file} is not a readable .tar.gz${cut} (${message}); nothing was written.`, {
      cause: error,
    });
  } finally {
    compressed.destroy();
  }
}

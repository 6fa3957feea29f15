import { Transform } from 'node:stream';
import { CertkitError } from '../errors.js';

const BLOCK = 512;
/** PAX and GNU long-name records are a few hundred bytes; tar-stream itself stops at 1 MiB. */
const MAX_META_BYTES = 1024 * 1024;
/** Type flags whose entries carry no data: hardlink, symlink, devices, folder, FIFO. */
const HEADER_ONLY = new Set(['1', '2', '3', '4', '5', '6']);
/** PAX keys that would change, for every later entry, where it goes or how long it is. */
const GLOBAL_REFUSED = /^(path|linkpath|size|GNU\.sparse\..*)$/;

interface Pending {
  pax?: Record<string, string>;
  gnuName?: string;
  gnuLink?: string;
}

/**
 * Checks a tar stream's framing as it passes through unchanged, where tar programs read the same bytes differently:
 * entries after the end-of-archive marker (two zero blocks; a second archive appended), a PAX global header setting
 * names or sizes, two long-name records for one entry (GNU and PAX, or two of one kind), sparse files, data on a
 * link or folder entry, and an archive cut short (inside an entry, or with no end marker). tar-stream reads the
 * entries themselves; this only refuses what it would read in a way of its own.
 */
export function checkTarFraming(source: string): Transform {
  let header = Buffer.alloc(0);
  let skip = 0;
  let meta: { type: string; chunks: Buffer[]; left: number } | undefined;
  let pending: Pending = {};
  let zeros = 0;
  let offset = 0;
  let last = 'the first entry';
  const refuse = (message: string) => new CertkitError('ARCHIVE_UNSAFE', `${source}: ${message}; nothing was written.`);

  const onHeader = (block: Buffer): void => {
    if (block.every((byte) => byte === 0)) {
      if (meta !== undefined || Object.keys(pending).length > 0)
        throw refuse(`a long-name or PAX header after ${last} is followed by no entry`);
      zeros += 1;
      return;
    }
    if (zeros > 0)
      throw refuse(
        `there are more entries after the end-of-archive marker (zero blocks at byte ${offset - BLOCK - zeros * BLOCK}, after ${last}); tar programs stop there or read on, so the archive means two things (a second archive appended?)`,
      );
    const type = block[156] === 0 ? '0' : String.fromCharCode(block[156] ?? 0);
    const size = readNumber(block.subarray(124, 136));
    if (type === 'x' || type === 'g' || type === 'L' || type === 'K') {
      if (size > MAX_META_BYTES) throw refuse(`a ${type} header after ${last} is ${size} bytes, far more than any name`);
      skip = padding(size);
      if (size > 0) meta = { type, chunks: [], left: size };
      else onMeta({ type, data: Buffer.alloc(0) });
      return;
    }
    const name = entryName(block, pending);
    last = name;
    if (pending.pax?.path !== undefined && pending.gnuName !== undefined)
      throw refuse(`${name} is named both by a GNU long name and by a PAX path record; tar programs disagree on which wins`);
    if (pending.pax?.linkpath !== undefined && pending.gnuLink !== undefined)
      throw refuse(`${name} has both a GNU long link name and a PAX linkpath record; tar programs disagree on which wins`);
    const dataSize = pending.pax?.size === undefined ? size : Number(pending.pax.size);
    if (!Number.isSafeInteger(dataSize) || dataSize < 0) throw refuse(`${name} has a PAX size of "${pending.pax?.size ?? ''}"`);
    if (HEADER_ONLY.has(type) && dataSize > 0)
      throw refuse(
        `${name} is a ${type === '5' ? 'folder' : 'link or special'} entry carrying ${dataSize} bytes of data, which tar programs read differently`,
      );
    pending = {};
    skip = dataSize + padding(dataSize);
  };

  const onMeta = (record: { type: string; data: Buffer }): void => {
    if (record.type === 'L' || record.type === 'K') {
      const key = record.type === 'L' ? 'gnuName' : 'gnuLink';
      if (pending[key] !== undefined) throw refuse(`two GNU long-name records in a row after ${last}`);
      pending[key] = cString(record.data);
      return;
    }
    const records = parsePax(record.data);
    if (records === null) throw refuse(`a malformed PAX header after ${last}`);
    if (record.type === 'g') {
      const refused = Object.keys(records).find((key) => GLOBAL_REFUSED.test(key));
      if (refused !== undefined)
        throw refuse(
          `a PAX global header after ${last} sets "${refused}" for every later entry; tar programs disagree on whether it applies`,
        );
      return;
    }
    if (pending.pax !== undefined) throw refuse(`two PAX headers in a row after ${last}`);
    if (Object.keys(records).some((key) => key.startsWith('GNU.sparse.')))
      throw refuse(`the entry after ${last} is a sparse file (GNU.sparse records); a certificate store holds none`);
    pending.pax = records;
  };

  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      try {
        let at = 0;
        while (at < chunk.length) {
          if (meta !== undefined) {
            const take = Math.min(meta.left, chunk.length - at);
            meta.chunks.push(chunk.subarray(at, at + take));
            meta.left -= take;
            at += take;
            offset += take;
            if (meta.left === 0) {
              const record = { type: meta.type, data: Buffer.concat(meta.chunks) };
              meta = undefined;
              onMeta(record);
            }
            continue;
          }
          if (skip > 0) {
            const take = Math.min(skip, chunk.length - at);
            skip -= take;
            at += take;
            offset += take;
            continue;
          }
          const take = Math.min(BLOCK - header.length, chunk.length - at);
          header = Buffer.concat([header, chunk.subarray(at, at + take)]);
          at += take;
          offset += take;
          if (header.length === BLOCK) {
            const block = header;
            header = Buffer.alloc(0);
            onHeader(block);
          }
        }
        done(null, chunk);
      } catch (error) {
        done(error as Error);
      }
    },
    flush(done) {
      if (meta !== undefined || skip > 0 || header.length > 0)
        done(refuse(`the archive is cut short inside ${meta === undefined && skip > 0 ? last : `the entry after ${last}`}`));
      else if (zeros < 2)
        done(
          refuse(
            `the archive is cut short: it ends after ${last} without tar's end-of-archive marker (two zero blocks), so entries may be missing`,
          ),
        );
      else done();
    },
  });
}

/** The name tar-stream gives an entry: PAX path, else GNU long name, else ustar prefix and name. */
function entryName(block: Buffer, pending: Pending): string {
  if (pending.pax?.path !== undefined) return pending.pax.path;
  if (pending.gnuName !== undefined) return pending.gnuName;
  const name = cString(block.subarray(0, 100));
  const ustar = block.subarray(257, 263).toString('latin1') === 'ustar\u0000';
  const prefix = ustar ? cString(block.subarray(345, 500)) : '';
  return prefix === '' ? name : `${prefix}/${name}`;
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end === -1 ? bytes.length : end).toString('utf8');
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** A header's numeric field: octal text, or base-256 when the first byte has its high bit set (GNU, star). */
function readNumber(field: Buffer): number {
  if (((field[0] ?? 0) & 0x80) !== 0) {
    let value = (field[0] ?? 0) & 0x7f;
    for (const byte of field.subarray(1)) value = value * 256 + byte;
    return value;
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  return text === '' ? 0 : parseInt(text, 8);
}

/** PAX records, `LENGTH key=value\n` each; null when one does not parse. */
function parsePax(data: Buffer): Record<string, string> | null {
  const records: Record<string, string> = {};
  let at = 0;
  while (at < data.length) {
    if (data[at] === 0) break;
    const space = data.indexOf(0x20, at);
    const length = Number(data.subarray(at, space).toString('latin1'));
    if (space === -1 || !Number.isSafeInteger(length) || length <= space - at || at + length > data.length) return null;
    const text = data.subarray(space + 1, at + length - 1).toString('utf8');
    const equals = text.indexOf('=');
    if (equals <= 0 || data[at + length - 1] !== 0x0a) return null;
    records[text.slice(0, equals)] = text.slice(equals + 1);
    at += length;
  }
  return records;
}

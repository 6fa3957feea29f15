import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { forEachTarEntry } from '../../../src/store/read-tar-snapshot.js';

/** One 512-byte ustar header, written byte by byte as tar programs do (the checksum last). */
function header(fields: { name: string; type?: string; size?: number; linkname?: string; prefix?: string }): Buffer {
  const block = Buffer.alloc(512);
  block.write(fields.name, 0, 100, 'utf8');
  block.write('0000644\0', 100);
  block.write('0000000\0', 108);
  block.write('0000000\0', 116);
  block.write(`${(fields.size ?? 0).toString(8).padStart(11, '0')}\0`, 124);
  block.write('00000000000\0', 136);
  block.write(fields.type ?? '0', 156);
  if (fields.linkname) block.write(fields.linkname, 157, 100, 'utf8');
  block.write('ustar\x0000', 257, 'latin1');
  if (fields.prefix) block.write(fields.prefix, 345, 155, 'utf8');
  block.fill(' ', 148, 156);
  const sum = block.reduce((total, byte) => total + byte, 0);
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

function data(text: string): Buffer {
  const bytes = Buffer.from(text);
  return Buffer.concat([bytes, Buffer.alloc((512 - (bytes.length % 512)) % 512)]);
}

function file(name: string, text: string, extra: { prefix?: string } = {}): Buffer {
  return Buffer.concat([header({ name, size: Buffer.byteLength(text), ...extra }), data(text)]);
}

/** A PAX header ('x', or 'g' for global) holding these records. */
function pax(records: Record<string, string>, type = 'x'): Buffer {
  const text = Object.entries(records)
    .map(([key, value]) => {
      const body = ` ${key}=${value}\n`;
      let length = body.length + 1;
      while (`${length}${body}`.length !== length) length += 1;
      return `${length}${body}`;
    })
    .join('');
  return Buffer.concat([header({ name: 'PaxHeader', type, size: Buffer.byteLength(text) }), data(text)]);
}

function gnuLong(name: string, type = 'L'): Buffer {
  return Buffer.concat([header({ name: '././@LongLink', type, size: Buffer.byteLength(name) + 1 }), data(`${name}\0`)]);
}

const END = Buffer.alloc(1024);

/** The names forEachTarEntry reads with strict framing, or the error it refuses with. */
async function read(...parts: Buffer[]): Promise<string[]> {
  const names: string[] = [];
  await forEachTarEntry(Readable.from([Buffer.concat(parts)]), { strictFraming: true, source: 'backup.tar.gz' }, async (stream) => {
    names.push(stream.header.name);
    stream.resume();
    await finished(stream);
  });
  return names;
}

describe('strict tar framing', () => {
  it('reads names as the archive means them: ustar prefix, PAX path, GNU long name, and a global header of other keys', async () => {
    const long = `letsencrypt/archive/${'a'.repeat(120)}/cert1.pem`;
    expect(
      await read(
        pax({ comment: 'from git archive' }, 'g'),
        file('cert1.pem', 'x', { prefix: `letsencrypt/archive/${'p'.repeat(90)}` }),
        pax({ path: long, mtime: '1796233133.31' }),
        file('truncated-name', 'y'),
        gnuLong(`letsencrypt/live/${'g'.repeat(110)}`),
        file('ignored', 'z'),
        END,
        Buffer.alloc(9216),
      ),
    ).toEqual([`letsencrypt/archive/${'p'.repeat(90)}/cert1.pem`, long, `letsencrypt/live/${'g'.repeat(110)}`]);
  });

  it.each<[string, Buffer[], string]>([
    ['an archive cut short inside an entry', [file('a.pem', 'x'.repeat(600)).subarray(0, 800)], 'the archive is cut short inside a.pem'],
    [
      'an archive cut short at an entry boundary (no end marker)',
      [file('a.pem', 'x')],
      "ends after a.pem without tar's end-of-archive marker",
    ],
    ['one zero block only', [file('a.pem', 'x'), Buffer.alloc(512)], "without tar's end-of-archive marker"],
    [
      'a second archive after the end marker',
      [file('a.pem', 'x'), END, file('b.pem', 'y'), END],
      'more entries after the end-of-archive marker (zero blocks at byte 1024, after a.pem)',
    ],
    [
      'an entry after a lone zero block',
      [file('a.pem', 'x'), Buffer.alloc(512), file('b.pem', 'y'), END],
      'more entries after the end-of-archive marker',
    ],
    [
      'a global header setting the path of every later entry',
      [pax({ path: 'live/x/cert.pem' }, 'g'), file('a.pem', 'x'), END],
      'sets "path" for every later entry',
    ],
    ['a global header setting sizes', [pax({ size: '0' }, 'g'), file('a.pem', 'x'), END], 'sets "size"'],
    [
      'both a GNU long name and a PAX path',
      [gnuLong('one/name'), pax({ path: 'other/name' }), file('n', 'x'), END],
      'other/name is named both by a GNU long name and by a PAX path record',
    ],
    ['two PAX headers for one entry', [pax({ path: 'a' }), pax({ path: 'b' }), file('n', 'x'), END], 'two PAX headers in a row'],
    [
      'a sparse file',
      [pax({ 'GNU.sparse.major': '1', 'GNU.sparse.minor': '0', 'GNU.sparse.name': 'a.pem' }), file('GNUSparseFile.0/a.pem', 'x'), END],
      'sparse file',
    ],
    [
      'a symlink carrying data',
      [header({ name: 'l', type: '2', linkname: 't', size: 512 }), Buffer.alloc(512, 1), END],
      'l is a link or special entry carrying 512 bytes of data',
    ],
    [
      'a folder carrying data',
      [header({ name: 'd/', type: '5', size: 512 }), Buffer.alloc(512, 1), END],
      'd/ is a folder entry carrying 512 bytes',
    ],
    ['a long-name header with no entry after it', [file('a.pem', 'x'), gnuLong('orphan'), END], 'followed by no entry'],
  ])('refuses %s', async (_what, parts, message) => {
    await expect(read(...parts)).rejects.toThrow(
      expect.objectContaining({ code: 'ARCHIVE_UNSAFE', message: expect.stringContaining(message) }),
    );
  });
});

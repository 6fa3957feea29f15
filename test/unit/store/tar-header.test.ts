import { Readable } from 'node:stream';
import { extract, pack, type Header } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { writableHeader } from '../../../src/store/tar-header.js';

async function roundTrip(header: Header): Promise<Header> {
  const writer = pack();
  writer.entry(header, Buffer.alloc(header.size ?? 0));
  writer.finalize();
  const reader = extract();
  Readable.from(writer as unknown as AsyncIterable<Buffer>).pipe(reader);
  for await (const stream of reader) {
    stream.resume();
    return stream.header;
  }
  throw new Error('no entry');
}

const READ: Header = {
  name: `letsencrypt/archive/${'a'.repeat(120)}/cert1.pem`,
  type: 'file',
  size: 4,
  mode: 0o104755,
  mtime: new Date(1_700_000_000_000),
  linkname: '',
  uid: 0,
  gid: 0,
  uname: 'root',
  gname: 'root',
  devmajor: 0,
  devminor: 0,
  pax: { path: `letsencrypt/archive/${'a'.repeat(120)}/cert1.pem`, uid: '3000000', 'SCHILY.xattr.security.capability': 'x' },
};

describe('writableHeader', () => {
  it('writes the new name, not the PAX path the header was read with, and no other PAX record', async () => {
    // A last component over 100 bytes: tar-stream must write a PAX path record of its own.
    const written = await roundTrip(writableHeader(READ, `.stage/keys/${'k'.repeat(120)}.pem`, undefined));
    expect(written.name).toBe(`.stage/keys/${'k'.repeat(120)}.pem`);
    expect(written.pax).toEqual({ path: written.name });
  });

  it('drops setuid, setgid and sticky bits, and takes a PAX uid over the octal field', () => {
    expect(writableHeader(READ, 'x', undefined)).toMatchObject({ mode: 0o755, uid: 3_000_000, gid: 0, type: 'file', size: 4 });
  });

  it('a hardlink is written as a link to the name given, with no data', () => {
    expect(writableHeader({ ...READ, type: 'link', size: 0 }, 'keys/k.pem', '.stage/archive/x/privkey1.pem')).toMatchObject({
      type: 'link',
      linkname: '.stage/archive/x/privkey1.pem',
      size: 0,
    });
  });
});

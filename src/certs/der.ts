/** The few DER (ASN.1) reading steps certkit needs: a tag-length-value at an offset, and a constructed value's children. */
export interface Tlv {
  tag: number;
  start: number;
  end: number;
}

export function readTlv(der: Buffer, offset: number): Tlv {
  const tag = der[offset] ?? -1;
  let length = der[offset + 1] ?? 0;
  let start = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    length = 0;
    for (let i = 0; i < bytes; i += 1) length = length * 256 + (der[start + i] ?? 0);
    start += bytes;
  }
  if (tag < 0 || start + length > der.length) throw new Error('truncated DER');
  return { tag, start, end: start + length };
}

export function readChildren(der: Buffer, parent: Tlv): Tlv[] {
  const children: Tlv[] = [];
  for (let offset = parent.start; offset < parent.end; offset = children[children.length - 1]?.end ?? parent.end)
    children.push(readTlv(der, offset));
  return children;
}

export const body = (der: Buffer, tlv: Tlv | undefined): Buffer => (tlv === undefined ? Buffer.alloc(0) : der.subarray(tlv.start, tlv.end));

/** Algorithm identifiers, as the hex of their DER content. */
export const KEY_ALGORITHM_OIDS = { ec: '2a8648ce3d0201', rsa: '2a864886f70d010101' } as const;

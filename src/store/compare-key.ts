import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { X509Certificate } from 'node:crypto';

/**
 * Whether a private key belongs to a certificate. Loading a key through OpenSSL 3 costs ~0.7 ms (its decoder
 * search), too slow for stores of thousands of keys, so the public half is read from the key's own DER when it is
 * there (EC keys carry their public point, RSA keys their modulus and exponent); OpenSSL is the fallback.
 */
export function keyMatchesCertificate(cert: X509Certificate, keyPem: string): boolean {
  const certKey = readCertificatePublicKey(cert.raw);
  const fromKey = readPemPublicKey(keyPem);
  if (certKey !== null && fromKey !== null) return certKey.equals(fromKey);
  const derived = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
  return derived.equals(cert.publicKey.export({ type: 'spki', format: 'der' }));
}

interface Tlv {
  tag: number;
  start: number;
  end: number;
}

const EC_OID = Buffer.from('2a8648ce3d0201', 'hex');
const RSA_OID = Buffer.from('2a864886f70d010101', 'hex');

function readTlv(der: Buffer, offset: number): Tlv {
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

function readChildren(der: Buffer, parent: Tlv): Tlv[] {
  const children: Tlv[] = [];
  for (let offset = parent.start; offset < parent.end; offset = children[children.length - 1]?.end ?? parent.end)
    children.push(readTlv(der, offset));
  return children;
}

const body = (der: Buffer, tlv: Tlv | undefined): Buffer => (tlv === undefined ? Buffer.alloc(0) : der.subarray(tlv.start, tlv.end));

/** The subjectPublicKey BIT STRING of a certificate; for RSA, re-read as the n‖e pair readPemPublicKey returns. */
function readCertificatePublicKey(der: Buffer): Buffer | null {
  try {
    const tbs = readChildren(der, readTlv(der, 0))[0];
    if (tbs === undefined) return null;
    const fields = readChildren(der, tbs);
    const spki = fields[fields[0]?.tag === 0xa0 ? 6 : 5];
    if (spki === undefined) return null;
    const [algorithm, bits] = readChildren(der, spki);
    if (algorithm === undefined || bits === undefined) return null;
    const oid = body(der, readChildren(der, algorithm)[0]);
    if (oid.equals(EC_OID)) return body(der, bits);
    if (!oid.equals(RSA_OID)) return null;
    const rsa = der.subarray(bits.start + 1, bits.end);
    const [n, e] = readChildren(rsa, readTlv(rsa, 0));
    return Buffer.concat([Buffer.from([0x02]), body(rsa, n), Buffer.from([0x02]), body(rsa, e)]);
  } catch {
    return null;
  }
}

/** The public half stored inside a PKCS#8, SEC1 or PKCS#1 private key, in readCertificatePublicKey's form. */
function readPemPublicKey(pem: string): Buffer | null {
  const match = /-----BEGIN (EC |RSA )?PRIVATE KEY-----([\s\S]+?)-----END/.exec(pem);
  if (match?.[2] === undefined) return null;
  try {
    let der: Buffer = Buffer.from(match[2].replace(/\s+/g, ''), 'base64');
    let kind = match[1] === 'EC ' ? 'ec' : match[1] === 'RSA ' ? 'rsa' : null;
    if (kind === null) {
      const [, algorithm, inner] = readChildren(der, readTlv(der, 0));
      if (algorithm === undefined || inner === undefined) return null;
      const oid = body(der, readChildren(der, algorithm)[0]);
      kind = oid.equals(EC_OID) ? 'ec' : oid.equals(RSA_OID) ? 'rsa' : null;
      der = body(der, inner);
    }
    const fields = readChildren(der, readTlv(der, 0));
    if (kind === 'rsa') return Buffer.concat([Buffer.from([0x02]), body(der, fields[1]), Buffer.from([0x02]), body(der, fields[2])]);
    const publicKey = fields.find((field) => field.tag === 0xa1);
    return kind === 'ec' && publicKey !== undefined ? body(der, readChildren(der, publicKey)[0]) : null;
  } catch {
    return null;
  }
}

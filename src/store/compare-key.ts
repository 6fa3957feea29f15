import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { KEY_ALGORITHM_OIDS, body, readChildren, readTlv } from '../certs/der.js';

/**
 * Whether a private key belongs to a certificate. Loading a key through OpenSSL 3 costs ~0.7 ms (its decoder
 * search), too slow for stores of thousands of keys, so the public half is read from the key's own DER when it is
 * there (EC keys carry their public point, RSA keys their modulus and exponent); OpenSSL is the fallback.
 */
export function keyMatchesCertificate(certDer: Buffer, keyPem: string): boolean {
  const certKey = readCertificatePublicKey(certDer);
  const fromKey = readPemPublicKey(keyPem);
  if (certKey !== null && fromKey !== null) return certKey.equals(fromKey);
  const derived = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
  return derived.equals(new X509Certificate(certDer).publicKey.export({ type: 'spki', format: 'der' }));
}

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
    const oid = body(der, readChildren(der, algorithm)[0]).toString('hex');
    if (oid === KEY_ALGORITHM_OIDS.ec) return body(der, bits);
    if (oid !== KEY_ALGORITHM_OIDS.rsa) return null;
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
      const oid = body(der, readChildren(der, algorithm)[0]).toString('hex');
      kind = oid === KEY_ALGORITHM_OIDS.ec ? 'ec' : oid === KEY_ALGORITHM_OIDS.rsa ? 'rsa' : null;
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

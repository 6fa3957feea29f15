import type { CertificateInfo } from './read-certificate.js';
import { KEY_ALGORITHM_OIDS, body, readChildren, readTlv, type Tlv } from './der.js';

/** CertificateInfo's fields as read from DER, with the alternative names as X509Certificate.subjectAltName lists them. */
export type DerCertificateFields = Omit<CertificateInfo, 'domains'> & { altNames: string[] };

const NAME_ATTRIBUTES = new Map([
  ['550403', 'CN'],
  ['550406', 'C'],
  ['55040a', 'O'],
  ['55040b', 'OU'],
  ['550407', 'L'],
  ['550408', 'ST'],
]);
const CURVES = new Map([
  ['2a8648ce3d030107', 'prime256v1'],
  ['2b81040022', 'secp384r1'],
  ['2b81040023', 'secp521r1'],
]);
const SAN_OID = '551d11';
/** Printable, string-typed values OpenSSL prints as they are (RFC 2253 escaping leaves them alone). */
const PLAIN_VALUE = /^[A-Za-z0-9'()./:?@&*_=-](?:[A-Za-z0-9'()./:?@&*_= -]*[A-Za-z0-9'()./:?@&*_=-])?$/;
const PLAIN_DNS = /^[A-Za-z0-9.*_-]+$/;
const STRING_TAGS = new Set([0x0c, 0x13, 0x16]); // UTF8String, PrintableString, IA5String

class Unusual extends Error {}
const unusual = (): never => {
  throw new Unusual();
};

/**
 * The fields certkit reads from a certificate, straight from its DER: about ten times cheaper than node:crypto's
 * X509Certificate (an OpenSSL parse, then one native call per field), which made `certkit status` over thousands of
 * certificates slow (issue 11). Returns null for whatever it does not read exactly as X509Certificate prints it (a
 * name needing escapes, an attribute, key or name type not listed above, a negative serial, a time with fractions):
 * the caller then asks X509Certificate. Throws on DER that is not a certificate's shape.
 */
export function readCertificateDer(der: Buffer): DerCertificateFields | null {
  try {
    return readFields(der);
  } catch (error) {
    if (error instanceof Unusual) return null;
    throw error;
  }
}

function readFields(der: Buffer): DerCertificateFields {
  const outer = readTlv(der, 0);
  if (outer.tag !== 0x30 || outer.end !== der.length) throw new Error('not a certificate');
  const [tbs] = readChildren(der, outer);
  if (tbs?.tag !== 0x30) throw new Error('not a certificate');
  const fields = readChildren(der, tbs);
  const at = fields[0]?.tag === 0xa0 ? 1 : 0;
  const [serial, , issuer, validity, subject, spki] = fields.slice(at);
  if (serial?.tag !== 0x02 || !issuer || validity?.tag !== 0x30 || !subject || !spki) throw new Error('not a certificate');
  const serialBytes = body(der, serial);
  if ((serialBytes[0] ?? 0) & 0x80) unusual();
  const [notBefore, notAfter] = readChildren(der, validity);
  const extensions = fields.slice(at + 6).find((field) => field.tag === 0xa3);
  return {
    serial: serialBytes.toString('hex'),
    altNames: extensions ? readAltNames(der, extensions) : [],
    subject: readName(der, subject),
    issuer: readName(der, issuer),
    notBefore: readTime(der, notBefore),
    notAfter: readTime(der, notAfter),
    keyType: readKeyType(der, spki),
  };
}

/** "C=US\nO=Let's Encrypt\nCN=R3": one attribute per line, in the certificate's order (X509Certificate.subject). */
function readName(der: Buffer, name: Tlv): string {
  const lines: string[] = [];
  for (const set of readChildren(der, name)) {
    const attributes = readChildren(der, set);
    if (attributes.length !== 1) unusual();
    const [oid, value] = readChildren(der, attributes[0] as Tlv);
    const short = NAME_ATTRIBUTES.get(body(der, oid).toString('hex'));
    if (!short || !value || !STRING_TAGS.has(value.tag)) unusual();
    const text = body(der, value).toString('latin1');
    if (!PLAIN_VALUE.test(text)) unusual();
    lines.push(`${short}=${text}`);
  }
  return lines.join('\n');
}

function readTime(der: Buffer, time: Tlv | undefined): Date {
  // UTCTime YYMMDDhhmmssZ or GeneralizedTime YYYYMMDDhhmmssZ, read digit by digit (no regex: status reads thousands).
  const yearDigits = time?.tag === 0x17 ? 2 : time?.tag === 0x18 ? 4 : 0;
  if (time === undefined || yearDigits === 0 || time.end - time.start !== yearDigits + 11 || der[time.end - 1] !== 0x5a) return unusual();
  let at = time.start;
  const digits = (count: number): number => {
    let value = 0;
    for (const end = at + count; at < end; at += 1) {
      const digit = (der[at] ?? 0) - 0x30;
      if (digit < 0 || digit > 9) unusual();
      value = value * 10 + digit;
    }
    return value;
  };
  const year = digits(yearDigits);
  const fullYear = yearDigits === 2 ? (year >= 50 ? 1900 + year : 2000 + year) : year;
  const [month, day, hour, minute, second] = [digits(2), digits(2), digits(2), digits(2), digits(2)];
  return new Date(Date.UTC(fullYear, month - 1, day, hour, minute, second));
}

function readKeyType(der: Buffer, spki: Tlv): string {
  const [algorithm, bits] = readChildren(der, spki);
  if (!algorithm || !bits) return unusual();
  const [oid, parameters] = readChildren(der, algorithm);
  const kind = body(der, oid).toString('hex');
  if (kind === KEY_ALGORITHM_OIDS.ec) {
    const curve = parameters?.tag === 0x06 ? CURVES.get(body(der, parameters).toString('hex')) : undefined;
    return curve ? `ecdsa-${curve}` : unusual();
  }
  if (kind !== KEY_ALGORITHM_OIDS.rsa) return unusual();
  const key = der.subarray(bits.start + 1, bits.end);
  const [modulus] = readChildren(key, readTlv(key, 0));
  let n = body(key, modulus);
  while (n.length > 1 && n[0] === 0) n = n.subarray(1);
  return `rsa-${(n.length - 1) * 8 + (n[0] ?? 0).toString(2).length}`;
}

function readAltNames(der: Buffer, wrapper: Tlv): string[] {
  const [list] = readChildren(der, wrapper);
  if (!list) return [];
  for (const extension of readChildren(der, list)) {
    const parts = readChildren(der, extension);
    if (body(der, parts[0]).toString('hex') !== SAN_OID) continue;
    const value = parts[parts.length - 1] as Tlv;
    const names = readChildren(der, value)[0];
    if (!names) return [];
    return readChildren(der, names).map((entry) => {
      const content = body(der, entry);
      if (entry.tag === 0x82) {
        const text = content.toString('latin1');
        return PLAIN_DNS.test(text) ? `DNS:${text}` : unusual();
      }
      if (entry.tag === 0x87 && content.length === 4) return `IP Address:${[...content].join('.')}`;
      if (entry.tag === 0x87 && content.length === 16) {
        const groups = [];
        for (let i = 0; i < 16; i += 2) groups.push(content.readUInt16BE(i).toString(16).toUpperCase());
        return `IP Address:${groups.join(':')}`;
      }
      return unusual();
    });
  }
  return [];
}

import { canonicalIp } from '../config/ip-address.js';
import { X509Certificate } from 'node:crypto';
import { readCertificateDer } from './read-certificate-der.js';

/** What certkit needs to know about one certificate, read from its PEM text alone. */
export interface CertificateInfo {
  serial: string;
  domains: string[];
  subject: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  keyType: string;
}

const PEM_BEGIN = '-----BEGIN CERTIFICATE-----';
const PEM_END = '-----END CERTIFICATE-----';

/** Splits a PEM bundle (a fullchain, say) into its certificates, leaf first (indexOf: status reads thousands). */
export function splitPemCertificates(pem: string): string[] {
  const blocks: string[] = [];
  for (let begin = pem.indexOf(PEM_BEGIN); begin >= 0; begin = pem.indexOf(PEM_BEGIN, begin + 1)) {
    const end = pem.indexOf(PEM_END, begin + PEM_BEGIN.length + 1);
    if (end < 0) break;
    blocks.push(pem.slice(begin, end + PEM_END.length));
    begin = end;
  }
  return blocks;
}

/** Reads the first certificate of a PEM text. Throws a plain Error on anything that is not a certificate. */
export function readCertificateInfo(pem: string): CertificateInfo {
  const first = splitPemCertificates(pem)[0];
  if (first === undefined) throw new Error('no PEM certificate found');
  return readCertificateInfoDer(pemBlockToDer(first));
}

/** One PEM block (as splitPemCertificates returns it) → its DER bytes. */
export function pemBlockToDer(block: string): Buffer {
  // Between the BEGIN and END lines; node's base64 decoder skips the line breaks itself.
  const bodyStart = block.startsWith('-----BEGIN ') ? block.indexOf('-----', 11) : -1;
  const bodyEnd = block.lastIndexOf('-----END ');
  if (bodyStart < 0 || bodyEnd < bodyStart) return Buffer.from(block.replace(/-----[^-]+-----|\s+/g, ''), 'base64');
  return Buffer.from(block.slice(bodyStart + 5, bodyEnd), 'base64');
}

/** A certificate's DER → what certkit needs; read directly when it can (cheap), else through X509Certificate. */
export function readCertificateInfoDer(der: Buffer): CertificateInfo {
  let fields;
  try {
    fields = readCertificateDer(der);
  } catch {
    fields = null; // X509Certificate below says what is wrong, or reads what this reader would not
  }
  if (fields === null) return describeCertificate(new X509Certificate(der));
  return {
    serial: normalizeSerial(fields.serial),
    domains: parseSubjectAltNames(fields.altNames.join(', ')),
    subject: fields.subject,
    issuer: fields.issuer,
    notBefore: fields.notBefore,
    notAfter: fields.notAfter,
    keyType: fields.keyType,
  };
}

export function describeCertificate(cert: X509Certificate): CertificateInfo {
  return {
    serial: normalizeSerial(cert.serialNumber),
    domains: parseSubjectAltNames(cert.subjectAltName),
    subject: cert.subject,
    issuer: cert.issuer,
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    keyType: describeKeyType(cert),
  };
}

/** Serials are compared as lowercase hex without leading zeros, whatever produced them. */
export function normalizeSerial(serial: string): string {
  const hex = serial
    .replace(/[^0-9a-fA-F]/g, '')
    .toLowerCase()
    .replace(/^0+/, '');
  return hex === '' ? '0' : hex;
}

export function parseSubjectAltNames(san: string | undefined): string[] {
  if (!san) return [];
  return san
    .split(',')
    .map((part) => part.trim())
    .flatMap((part) => {
      if (part.startsWith('DNS:')) return [part.slice(4).toLowerCase()];
      // IP-address certificates: canonical form, so it compares equal to the address in CERTBOT_DOMAIN.
      if (part.startsWith('IP Address:')) return [canonicalIp(part.slice(11)) ?? part.slice(11)];
      return [];
    });
}

function describeKeyType(cert: X509Certificate): string {
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'ec') return `ecdsa-${details.namedCurve ?? 'unknown'}`;
  if (key.asymmetricKeyType === 'rsa') return `rsa-${details.modulusLength ?? 'unknown'}`;
  return key.asymmetricKeyType ?? 'unknown';
}

/** Whole days from `now` until `notAfter`, rounded down (negative once expired). */
export function daysLeft(notAfter: Date, now: Date): number {
  return Math.floor((notAfter.getTime() - now.getTime()) / 86_400_000);
}

import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCertificateDer } from '../../../src/certs/read-certificate-der.js';
import { describeCertificate, pemBlockToDer, readCertificateInfo, splitPemCertificates } from '../../../src/certs/read-certificate.js';
import { issueCertificate } from '../../fixtures/make-certificates.js';

/** The DER reader is a shortcut: what it returns must be what X509Certificate says, field for field. */
const throughOpenSsl = (pem: string) => describeCertificate(new X509Certificate(pem));
const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

describe('reading a certificate from its DER', { timeout: 20_000 }, () => {
  it('gives what X509Certificate gives for a leaf and its issuer', async () => {
    const issued = await issueCertificate({
      domains: ['der.test', 'www.der.test'],
      notBefore: new Date('2030-01-01'),
      notAfter: new Date('2030-03-01'),
    });
    for (const pem of splitPemCertificates(issued.fullchain)) {
      expect(readCertificateDer(pemBlockToDer(pem))).not.toBeNull();
      expect(readCertificateInfo(pem)).toEqual(throughOpenSsl(pem));
    }
  });

  it('reads a GeneralizedTime (dates from 2050 on) as X509Certificate does', async () => {
    const issued = await issueCertificate({
      domains: ['far.der.test'],
      notBefore: new Date('2049-12-01T10:20:30Z'),
      notAfter: new Date('2051-02-03T04:05:06Z'),
    });
    const [leaf] = splitPemCertificates(issued.fullchain);
    expect(readCertificateDer(pemBlockToDer(leaf!))?.notAfter.toISOString()).toBe('2051-02-03T04:05:06.000Z');
    expect(readCertificateInfo(leaf!)).toEqual(throughOpenSsl(leaf!));
    expect(readCertificateInfo(leaf!).notAfter.toISOString()).toBe('2051-02-03T04:05:06.000Z');
  });

  it.skipIf(!existsSync(SYSTEM_BUNDLE))('gives what X509Certificate gives for every certificate of the system CA bundle', () => {
    const pems = splitPemCertificates(readFileSync(SYSTEM_BUNDLE, 'utf8'));
    expect(pems.length).toBeGreaterThan(10);
    let read = 0;
    for (const pem of pems) {
      if (readCertificateDer(pemBlockToDer(pem))) read += 1;
      expect(readCertificateInfo(pem)).toEqual(throughOpenSsl(pem));
    }
    expect(read).toBeGreaterThan(pems.length / 2); // the shortcut is taken for most; names with escapes go to OpenSSL
  });

  it('throws on bytes that are not a certificate', () => {
    expect(() => readCertificateInfo('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')).toThrow();
  });
});

import { execFile } from 'node:child_process';
import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { keyMatchesCertificate } from '../../../src/store/compare-key.js';
import { generatePrivateKey, issueCertificate } from '../../fixtures/make-certificates.js';

const reencode = (pem: string, type: 'sec1' | 'pkcs1' | 'pkcs8') => createPrivateKey(pem).export({ type, format: 'pem' }).toString();

describe('keyMatchesCertificate', { timeout: 20_000 }, () => {
  it('matches an ECDSA certificate with its PKCS#8 and SEC1 key, and rejects another key', async () => {
    const issued = await issueCertificate({ domains: ['key.test'], notBefore: new Date('2030-01-01'), notAfter: new Date('2030-03-01') });
    const cert = new X509Certificate(issued.cert);
    expect(keyMatchesCertificate(cert.raw, issued.privkey)).toBe(true);
    expect(keyMatchesCertificate(cert.raw, reencode(issued.privkey, 'sec1'))).toBe(true);
    expect(keyMatchesCertificate(cert.raw, generatePrivateKey())).toBe(false);
  });

  it('falls back to OpenSSL for keys whose public half it cannot read itself', async () => {
    const issued = await issueCertificate({ domains: ['key.test'], notBefore: new Date('2030-01-01'), notAfter: new Date('2030-03-01') });
    const ed25519 = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(keyMatchesCertificate(new X509Certificate(issued.cert).raw, ed25519)).toBe(false);
  });

  it('matches an RSA certificate with its PKCS#8 and PKCS#1 key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'certkit-rsa-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:1024',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-subj',
      '/CN=rsa.test',
      '-days',
      '1',
    ]);
    const cert = new X509Certificate(await readFile(join(dir, 'cert.pem')));
    const key = await readFile(join(dir, 'key.pem'), 'utf8');
    expect(keyMatchesCertificate(cert.raw, key)).toBe(true);
    expect(keyMatchesCertificate(cert.raw, reencode(key, 'pkcs1'))).toBe(true);
    const other = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(keyMatchesCertificate(cert.raw, other)).toBe(false);
  });
});

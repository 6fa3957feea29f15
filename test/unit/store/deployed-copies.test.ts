import { describe, expect, it } from 'vitest';
import { readCertificateInfo } from '../../../src/certs/read-certificate.js';
import { deployedSerials, deployedState } from '../../../src/store/deployed-copies.js';
import type { StoreEntry, StoreSnapshot } from '../../../src/store/snapshot.js';
import { issueCertificate } from '../../fixtures/make-certificates.js';

const file = (content: string): StoreEntry => ({
  type: 'file',
  mode: 0o640,
  uid: 0,
  gid: 0,
  size: content.length,
  mtime: new Date(0),
  content: Buffer.from(content),
});
const link = (target: string): StoreEntry => ({
  type: 'symlink',
  mode: 0o777,
  uid: 0,
  gid: 0,
  size: 0,
  mtime: new Date(0),
  linkTarget: target,
});

async function issued(label: string) {
  const now = Date.now();
  return issueCertificate({
    domains: ['widgets.eu'],
    notBefore: new Date(now - 86_400_000),
    notAfter: new Date(now + 89 * 86_400_000),
    label,
  });
}

describe('deployedSerials: the serial of each deployed folder, as nginx serves it', () => {
  it('symlink mode (issue 19): cert.pem links into /etc/letsencrypt, bundle.pem is a file: the bundle says the serial', async () => {
    const cert = await issued('symlink-mode');
    const serial = readCertificateInfo(cert.cert).serial;
    const snapshot: StoreSnapshot = new Map([
      ['widgets.eu/cert.pem', link('/etc/letsencrypt/live/widgets.eu/cert.pem')],
      ['widgets.eu/privkey.pem', link('/etc/letsencrypt/live/widgets.eu/privkey.pem')],
      ['widgets.eu/bundle.pem', file(`${cert.privkey}${cert.fullchain}`)],
    ]);
    const serials = deployedSerials(snapshot);
    expect(serials).toEqual(new Map([['widgets.eu', serial]]));
    expect(deployedState(serials, 'widgets.eu', serial)).toBe('ok');
  });

  it('copy mode: the bundle; a folder deployed before bundles: cert.pem; an unreadable bundle: unknown serial (stale)', async () => {
    const [a, b] = [await issued('copy-a'), await issued('copy-b')];
    const snapshot: StoreSnapshot = new Map([
      ['a.test/cert.pem', file(a.cert)],
      ['a.test/bundle.pem', file(`${a.privkey}${a.fullchain}`)],
      ['old.test/cert.pem', file(b.cert)],
      ['broken.test/cert.pem', file(b.cert)],
      ['broken.test/bundle.pem', file('half a file')],
    ]);
    const serials = deployedSerials(snapshot);
    expect(serials.get('a.test')).toBe(readCertificateInfo(a.cert).serial);
    expect(serials.get('old.test')).toBe(readCertificateInfo(b.cert).serial);
    expect(serials.has('broken.test')).toBe(true);
    expect(serials.get('broken.test')).toBeUndefined();
    expect(deployedState(serials, 'broken.test', readCertificateInfo(b.cert).serial)).toBe('stale');
  });
});

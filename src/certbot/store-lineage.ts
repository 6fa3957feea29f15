import { readCertificateInfo } from '../certs/read-certificate.js';
import { parseRenewalConf } from '../store/renewal-conf.js';
import { readContent, resolveEntry, type StoreSnapshot } from '../store/snapshot.js';
import type { ExistingCertificate } from './plan-certbot-run.js';

/** What a lineage's two files say: the certificate, or undefined when there is none or it is unreadable. */
export function lineageFromFiles(
  pem: string | undefined,
  conf: string | undefined,
  onUnreadable: () => void,
): ExistingCertificate | undefined {
  if (pem === undefined) return undefined;
  let info;
  try {
    info = readCertificateInfo(pem);
  } catch {
    onUnreadable();
    return undefined;
  }
  return {
    domains: info.domains,
    notBefore: info.notBefore,
    notAfter: info.notAfter,
    serial: info.serial,
    renewal: conf === undefined ? undefined : parseRenewalConf(conf),
  };
}

/**
 * A lineage as one snapshot of the store shows it, the way certbot's own `cat` of live/NAME/cert.pem would: `found`
 * (with the certificate, or undefined for an unreadable one), `missing` (no live/NAME/cert.pem), or `unknown` when
 * the snapshot cannot follow the link (an absolute link into the store, say): the caller then reads it in the container.
 */
export function lineageInSnapshot(
  snapshot: StoreSnapshot,
  certName: string,
  onUnreadable: () => void,
): { kind: 'found'; lineage: ExistingCertificate | undefined } | { kind: 'missing' } | { kind: 'unknown' } {
  const certPath = `live/${certName}/cert.pem`;
  if (!snapshot.has(certPath)) return { kind: 'missing' };
  const pem = readContent(snapshot, certPath);
  if (pem === undefined) return resolveEntry(snapshot, certPath) === null ? { kind: 'unknown' } : { kind: 'found', lineage: undefined };
  const confPath = `renewal/${certName}.conf`;
  const conf = readContent(snapshot, confPath);
  if (conf === undefined && snapshot.has(confPath)) return { kind: 'unknown' };
  return { kind: 'found', lineage: lineageFromFiles(pem.toString('utf8'), conf?.toString('utf8'), onUnreadable) };
}

import { readCertificateInfo } from '../certs/read-certificate.js';
import { readContent, type StoreSnapshot } from './snapshot.js';

/** Serial of each deployed certificate folder (NAME/cert.pem); undefined for a folder whose certificate is unreadable. */
export type DeployedSerials = ReadonlyMap<string, string | undefined>;

/** How the copy nginx reads compares with the store: 'unknown' when there was no deploy folder to look at. */
export type DeployedState = 'ok' | 'stale' | 'missing' | 'unknown';

/** The one "the deployed copy is stale" rule: status, doctor and update all ask it. */
export function deployedState(deployed: DeployedSerials | undefined, name: string, storeSerial: string | null | undefined): DeployedState {
  if (!deployed) return 'unknown';
  if (!deployed.has(name)) return 'missing';
  return deployed.get(name) === storeSerial ? 'ok' : 'stale';
}

/**
 * A deploy folder snapshot → the serial of each certificate folder (undefined when unreadable). The serial is the one
 * of bundle.pem, the regular file nginx serves in every deploy mode; cert.pem only for a folder deployed before there
 * was a bundle. In symlink mode cert.pem is a link into /etc/letsencrypt, which a snapshot of the deploy folder cannot
 * follow: reading it there would call a healthy copy unreadable.
 */
export function deployedSerials(snapshot: StoreSnapshot): Map<string, string | undefined> {
  const serials = new Map<string, string | undefined>();
  for (const path of snapshot.keys()) {
    const match = /^([^/]+)\/(cert|bundle)\.pem$/.exec(path);
    const name = match?.[1];
    if (!name || (match[2] === 'cert' && snapshot.has(`${name}/bundle.pem`))) continue;
    const pem = readContent(snapshot, path)?.toString('utf8');
    let serial: string | undefined;
    try {
      serial = pem ? readCertificateInfo(pem).serial : undefined;
    } catch {
      serial = undefined;
    }
    serials.set(name, serial);
  }
  return serials;
}

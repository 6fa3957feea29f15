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

/** NAME/cert.pem in a deploy folder snapshot → serial (undefined when unreadable). */
export function deployedSerials(snapshot: StoreSnapshot): Map<string, string | undefined> {
  const serials = new Map<string, string | undefined>();
  for (const path of snapshot.keys()) {
    const match = /^([^/]+)\/cert\.pem$/.exec(path);
    if (!match?.[1]) continue;
    const pem = readContent(snapshot, path)?.toString('utf8');
    let serial: string | undefined;
    try {
      serial = pem ? readCertificateInfo(pem).serial : undefined;
    } catch {
      serial = undefined;
    }
    serials.set(match[1], serial);
  }
  return serials;
}

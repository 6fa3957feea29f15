import type { StatusEntry } from '../store/status-entries.js';

export interface CertificateSample {
  labels: { name: string; issuer: string; profile: string };
  notBefore: number | null;
  expiration: number | null;
  renewal: number | null;
  ready: boolean;
  /** null when nginx was not probed for this certificate. */
  servedMatch: boolean | null;
}

/** `certkit status` entries as metric values (Unix seconds) and labels. Pure. */
export function certificateSamples(entries: readonly StatusEntry[]): CertificateSample[] {
  return entries.map((entry) => ({
    labels: { name: entry.name, issuer: issuerName(entry.issuer), profile: entry.profile ?? 'default' },
    notBefore: seconds(entry.notBefore),
    expiration: seconds(entry.notAfter),
    renewal: seconds(entry.renewalAt),
    ready: entry.ready,
    servedMatch: servesStoreSerial(entry),
  }));
}

/** Whether nginx serves the store's serial; false when a deployed certificate is not served at all; null when unknown. */
export function servesStoreSerial(entry: StatusEntry): boolean | null {
  if (entry.served !== null) return entry.served === entry.serial;
  return entry.deployed === 'ok' ? false : null;
}

/** The issuer's common name ("R11", "Pebble Intermediate CA 1a2b3c"), short enough for a label. */
export function issuerName(issuer: string | null): string {
  if (issuer === null) return '';
  const cn = /(?:^|[\n,/]\s*)CN=([^\n,/]+)/.exec(issuer)?.[1];
  return (cn ?? issuer.replace(/\n/g, ', ')).trim();
}

function seconds(iso: string | null): number | null {
  return iso === null ? null : Date.parse(iso) / 1000;
}

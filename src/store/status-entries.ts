import type { CertificateReport } from './analyze-store.js';
import { deployedState, type DeployedSerials } from './deployed-copies.js';
import { alignColumns } from '../text-table.js';

/** One line of `certkit status`: the store's view of a certificate plus where it is deployed and served. */
export interface StatusEntry {
  name: string;
  /** The site this certificate is for (`certkit status` on a stack), null for a certificate of no site; absent with --store. */
  site?: string | null;
  domains: string[];
  notBefore: string | null;
  notAfter: string | null;
  /** When certkit plans to renew (certbot's rule); null without a readable certificate. */
  renewalAt: string | null;
  daysLeft: number | null;
  serial: string | null;
  issuer: string | null;
  keyType: string | null;
  /** The ACME profile renewals request (from the renewal conf; certbot >= 4.1 saves it), or null. */
  profile: string | null;
  versions: number;
  live: string;
  /** 'ok', 'stale (serial …)', 'missing', or 'unknown' when no deploy folder was read. */
  deployed: string;
  /** The serial nginx presents for the certificate's first name, or null when not served or not checked. */
  served: string | null;
  /** Valid now, deployed as the store's serial, and nginx serves that serial: what `certkit_certificate_ready_status` reports. */
  ready: boolean;
  problems: string[];
}

/** Merges analysis with the deploy folder and what nginx serves. Pure. */
export function buildStatusEntries(
  reports: readonly CertificateReport[],
  deployed: DeployedSerials | undefined,
  served: ReadonlyMap<string, string | null>,
): StatusEntry[] {
  return reports.map((report) => {
    const problems = [...report.problems];
    const deployedSerial = deployed?.get(report.name);
    const state = deployedState(deployed, report.name, report.serial);
    if (state === 'stale') {
      problems.push(
        `the deployed copy is serial ${deployedSerial ?? 'unreadable'}, the store has ${report.serial ?? 'none'}: run \`certkit doctor --fix\` (or \`certkit update\`) to redeploy`,
      );
    }
    const servedSerial = served.get(report.name) ?? null;
    if (deployed?.has(report.name) && served.has(report.name) && servedSerial !== report.serial) {
      problems.push(
        `nginx serves ${servedSerial === null ? 'no certificate' : `serial ${servedSerial}`} for ${report.domains[0] ?? report.name}, not ${report.serial ?? 'none'}: run \`certkit update\``,
      );
    }
    return {
      name: report.name,
      domains: report.domains,
      notBefore: report.notBefore?.toISOString() ?? null,
      notAfter: report.notAfter?.toISOString() ?? null,
      renewalAt: report.renewalAt?.toISOString() ?? null,
      daysLeft: report.daysLeft,
      serial: report.serial,
      issuer: report.issuer,
      keyType: report.keyType,
      profile: report.renewal?.profile ?? null,
      versions: report.versions,
      live: report.live,
      deployed: state === 'stale' ? `stale (serial ${deployedSerial ?? 'unreadable'})` : state,
      served: servedSerial,
      ready: report.valid && report.serial !== null && state === 'ok' && served.has(report.name) && servedSerial === report.serial,
      problems,
    };
  });
}

/** A plain table for people; --json is for programs. */
export function formatStatusTable(entries: readonly StatusEntry[]): string {
  if (entries.length === 0) return 'no certificates in the store\n';
  const withSites = entries.some((entry) => entry.site !== undefined);
  const rows = entries.map((entry) => [
    ...(withSites ? [entry.site ?? '-'] : []),
    entry.name,
    entry.domains.join(','),
    entry.notAfter ? `${entry.notAfter.slice(0, 10)} (${entry.daysLeft}d)` : '-',
    entry.profile ?? '-',
    entry.serial ?? '-',
    String(entry.versions),
    entry.live,
    entry.deployed,
    entry.served ?? '-',
  ]);
  const header = [
    ...(withSites ? ['SITE'] : []),
    'NAME',
    'DOMAINS',
    'EXPIRES',
    'PROFILE',
    'SERIAL',
    'VERSIONS',
    'LIVE',
    'DEPLOYED',
    'SERVED',
  ];
  const problems = entries.flatMap((entry) => entry.problems.map((problem) => `  ${entry.name}: ${problem}`));
  return [...alignColumns(header, rows), ...(problems.length > 0 ? ['', 'problems:', ...problems] : [])].join('\n') + '\n';
}

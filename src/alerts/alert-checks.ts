import { formatDuration } from '../certbot/renewal-due.js';
import { servesStoreSerial } from '../metrics/certificate-samples.js';
import type { StatusEntry } from '../store/status-entries.js';
import type { ReplicaReport } from '../swarm/replica-status.js';
import type { AlertCheck } from './alert-state.js';

/** Alert when less than this fraction of a certificate's lifetime is left (certbot renews at a third, or a half). */
export const EXPIRING_FRACTION = 1 / 6;

export type CheckOutcome =
  | { ok: true; certificate: string; serial: string | undefined }
  | { ok: false; certificate: string; code: string; cause: string; nextRetry: Date };

/** The renewal alert from the outcome of one check. Pure. */
export function renewalCheck(outcome: CheckOutcome): AlertCheck {
  if (outcome.ok) {
    return {
      kind: 'renewal_failed',
      certificate: outcome.certificate,
      firing: false,
      summary: `the check of ${outcome.certificate} succeeded again (serial ${outcome.serial ?? 'none'})`,
      details: { serial: outcome.serial ?? null },
    };
  }
  return {
    kind: 'renewal_failed',
    certificate: outcome.certificate,
    firing: true,
    summary: `the check of ${outcome.certificate} failed (${outcome.code}): ${outcome.cause}; next retry at ${outcome.nextRetry.toISOString()}`,
    details: { code: outcome.code, cause: outcome.cause, nextRetry: outcome.nextRetry.toISOString() },
  };
}

/** Expiry and serving alerts for each certificate of `certkit status`. Pure. */
export function certificateChecks(entries: readonly StatusEntry[], now: Date): AlertCheck[] {
  return entries.flatMap((entry): AlertCheck[] => {
    const checks: AlertCheck[] = [];
    if (entry.notBefore !== null && entry.notAfter !== null) {
      const start = Date.parse(entry.notBefore);
      const end = Date.parse(entry.notAfter);
      const left = end - now.getTime();
      const firing = left < (end - start) * EXPIRING_FRACTION;
      checks.push({
        kind: 'certificate_expiring',
        certificate: entry.name,
        firing,
        summary: firing
          ? `${entry.name} has ${left > 0 ? `${formatDuration(left)} left` : 'expired'} of its ${formatDuration(end - start)} lifetime (expires ${entry.notAfter}) and has not been renewed`
          : `${entry.name} was renewed: serial ${entry.serial ?? 'none'} expires ${entry.notAfter}`,
        details: { notBefore: entry.notBefore, notAfter: entry.notAfter, serial: entry.serial },
      });
    }
    const serves = servesStoreSerial(entry);
    if (serves !== null) {
      const firing = !serves;
      checks.push({
        kind: 'serial_mismatch',
        certificate: entry.name,
        firing,
        summary: firing
          ? `nginx serves ${entry.served === null ? 'no certificate' : `serial ${entry.served}`} for ${entry.domains[0] ?? entry.name}, but the deployed certificate is ${entry.serial ?? 'none'}`
          : `nginx serves the deployed certificate of ${entry.name} (serial ${entry.serial ?? 'none'})`,
        details: { served: entry.served, deployed: entry.serial },
      });
    }
    return checks;
  });
}

/**
 * On Swarm, one check per site and nginx replica (keyed `SITE/REPLICA`: a slot outlives its tasks, so a replica that
 * catches up resolves its alert), and one for the service (replicas missing, an update paused or rolled back). Pure.
 */
export function replicaChecks(report: ReplicaReport): AlertCheck[] {
  const rows = report.rows.map((row): AlertCheck => ({
    kind: 'replica_stale',
    certificate: `${row.site}/${row.replica}`,
    firing: row.problem !== null,
    summary:
      row.problem ??
      `replica ${row.replica} (node ${row.node}) serves ${row.current?.name ?? 'its site'}, the newest version of site ${row.site}`,
    details: {
      site: row.site,
      replica: row.replica,
      task: row.taskId,
      node: row.node,
      has: row.mounted?.name ?? null,
      should: row.current?.name ?? null,
      served: row.served ?? null,
    },
  }));
  const firing = report.problems.length > 0;
  const service: AlertCheck = {
    kind: 'replica_stale',
    certificate: report.service,
    firing,
    summary: firing ? report.problems.join('; ') : `every replica of ${report.service} is scheduled`,
    details: { service: report.service },
  };
  return [...rows, service];
}

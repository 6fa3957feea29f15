import type { StatusEntry } from '../store/status-entries.js';
import type { ReplicaReport } from '../swarm/replica-status.js';

/**
 * On Swarm there is no deploy folder and no one nginx to probe: a certificate is ready (certkit_certificate_ready_status)
 * when it is valid and every nginx replica mounts its site's newest version, runs and presents it (the replica report
 * read just before). Without a report, or with no replica, it is not. `sites` maps a site's id (the replica rows') to
 * its certificate's name in the store. Pure.
 */
export function withReplicaReadiness(
  entries: readonly StatusEntry[],
  report: ReplicaReport | undefined,
  sites: ReadonlyMap<string, string>,
): StatusEntry[] {
  return entries.map((entry) => {
    const rows = (report?.rows ?? []).filter((row) => (sites.get(row.site) ?? row.site) === entry.name);
    const served = rows.length > 0 && rows.every((row) => row.problem === null && row.mounted?.serial === entry.serial);
    return { ...entry, ready: entry.problems.length === 0 && entry.serial !== null && served };
  });
}

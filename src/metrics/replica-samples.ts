import type { ReplicaReport } from '../swarm/replica-status.js';

export interface ReplicaSample {
  labels: { site: string; replica: string; node: string };
  /** The secret version the task mounts for the site ('none' without one) and its serial ('' when unknown). */
  version: string;
  serial: string;
  /** Mounts the site's newest version, runs, and (where its handshake was read) presents its serial. */
  current: boolean;
  /** null when the handshake was not asked. */
  servedMatch: boolean | null;
}

/** A Swarm stack's replica rows as metric values and labels. Pure. */
export function replicaSamples(report: ReplicaReport): ReplicaSample[] {
  return report.rows.map((row) => ({
    labels: { site: row.site, replica: row.replica, node: row.node },
    version: row.mounted?.name ?? 'none',
    serial: row.mounted?.serial ?? '',
    current: row.problem === null,
    servedMatch: row.served === undefined ? null : row.served !== null && row.served === (row.current?.serial ?? undefined),
  }));
}

import { alignColumns } from '../text-table.js';
import type { ReplicaReport, ReplicaRow } from './replica-status.js';

/** `certkit status` on a Swarm stack: a SITE/REPLICA row each, then the problems, each naming the replica. Pure. */
export function formatReplicaTable(report: ReplicaReport): string {
  if (report.rows.length === 0 && report.problems.length === 0) return `${report.service}: no site, no task\n`;
  const header = ['SITE', 'REPLICA', 'NODE', 'STATE', 'VERSION', 'SERIAL', 'SHOULD HAVE', 'SERVED', 'OK'];
  const rows = report.rows.map((row) => [
    row.site,
    row.replica,
    row.node,
    row.state,
    row.mounted ? `${row.mounted.name}${row.mounted.removed ? ' (removed)' : ''}` : '-',
    row.mounted?.serial ?? '-',
    row.current?.name ?? '-',
    served(row),
    row.problem === null ? 'yes' : 'NO',
  ]);
  const problems = replicaProblems(report);
  return (
    [...alignColumns(header, rows), ...(problems.length > 0 ? ['', 'problems:', ...problems.map((problem) => `  ${problem}`)] : [])].join(
      '\n',
    ) + '\n'
  );
}

/** Every problem of the report: the service's, then each row's (any one makes status exit 1). */
export function replicaProblems(report: ReplicaReport): string[] {
  return [...report.problems, ...report.rows.flatMap((row) => (row.problem === null ? [] : [row.problem]))];
}

function served(row: ReplicaRow): string {
  if (row.served === undefined) return '-';
  return row.served ?? 'none';
}

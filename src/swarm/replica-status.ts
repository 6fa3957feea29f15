import { uncoveredNodes } from './global-coverage.js';
import type { UpdateState } from './health-gate.js';
import type { NodeState } from './rollout-failure.js';
import type { SecretRef, TaskView } from './rotation-plan.js';
import { LABEL_SERIAL, LABEL_SITE, secretTarget } from './secret-name.js';

/**
 * Pure: which certificate each nginx replica of a Swarm stack serves, one row per site and replica. A replica counts
 * as current only when it mounts the site's newest secret version (the one certkit created last), runs, and, where
 * its handshake was read, presents that version's serial: a replica on an older version, on a removed one or on none
 * is a problem that names the task, its node, the version it has and the version it should have.
 */

/** A secret version of the stack, with its labels (certkit.site, certkit.serial, ...). */
export interface StackSecret {
  id: string;
  name: string;
  createdAt: string;
  labels: Record<string, string>;
}

/** What a handshake with one replica for one site's first name gave: the serial presented, or why there was none. */
export type ServedCheck = { serial: string } | { error: string };

export interface ReplicaInput {
  service: {
    name: string;
    replicas: number | undefined;
    secrets: readonly SecretRef[];
    updateState: UpdateState;
    updateMessage: string | undefined;
    /** Global mode, with its placement constraints: every eligible node of `nodes` should run a task. */
    global?: boolean;
    constraints?: readonly string[];
  };
  /** The swarm's nodes (for a global service: a ready, active node without a task is a problem named). */
  nodes?: ReadonlyMap<string, NodeState>;
  /** The nginx service's tasks, as Swarm lists them (old ones included: only those meant to run are replicas). */
  tasks: readonly TaskView[];
  /** Every secret labelled with the stack (certkit.stack=STACK). */
  secrets: readonly StackSecret[];
  /** The declared sites: a site with no version yet is still a row. Sites of the secrets and the spec are added. */
  sites?: readonly string[];
  /** Handshakes read, by task id then site id (only where certkit could reach the task). */
  served?: ReadonlyMap<string, ReadonlyMap<string, ServedCheck>>;
  /** Node id → hostname, for messages. */
  nodeNames?: ReadonlyMap<string, string>;
}

export interface VersionRef {
  name: string;
  serial: string | null;
}

export interface ReplicaRow {
  site: string;
  /** `SERVICE.SLOT` (a replicated service) or `SERVICE@NODE` (a global one), as `docker service ps` names tasks. */
  replica: string;
  taskId: string;
  node: string;
  state: string;
  /** The version the task mounts for this site; `removed` when its secret no longer exists; null when none. */
  mounted: (VersionRef & { removed: boolean }) | null;
  /** The version it should mount: the site's newest; null when the site has none yet. */
  current: VersionRef | null;
  /** The serial its handshake presented; null when the handshake failed; undefined when not asked. */
  served: string | null | undefined;
  problem: string | null;
}

export interface ReplicaReport {
  service: string;
  rows: ReplicaRow[];
  /** What is wrong with the service as a whole (replicas missing, an update paused or rolled back). */
  problems: string[];
}

const TARGET = /^certkit-([a-z0-9][a-z0-9._-]*)\.pem$/;

export function replicaStatus(input: ReplicaInput): ReplicaReport {
  const { service } = input;
  const versionsBySite = new Map<string, StackSecret[]>();
  for (const secret of input.secrets) {
    const site = secret.labels[LABEL_SITE];
    if (!site) continue;
    versionsBySite.set(site, [...(versionsBySite.get(site) ?? []), secret]);
  }
  const sites = new Set<string>([...(input.sites ?? []), ...versionsBySite.keys()]);
  for (const ref of service.secrets) {
    const site = TARGET.exec(ref.target)?.[1];
    if (site) sites.add(site);
  }
  const replicas = input.tasks.filter((task) => task.desiredState === 'running').sort(byReplica);
  const byId = new Map(input.secrets.map((secret) => [secret.id, secret]));
  const node = (id: string): string => input.nodeNames?.get(id) ?? id;

  const rows: ReplicaRow[] = [];
  const problems: string[] = [];
  for (const site of [...sites].sort()) {
    const newest = newestVersion(versionsBySite.get(site) ?? []);
    const current = newest ? { name: newest.name, serial: newest.labels[LABEL_SERIAL] ?? null } : null;
    const target = secretTarget(site);
    const specRef = service.secrets.find((ref) => ref.target === target);
    if (newest && specRef && specRef.secretId !== newest.id) {
      problems.push(
        `site ${site}: the service ${service.name} names version ${specRef.secretName}, but ${newest.name} is newer: a rotation that rolled back or was paused; run it again (\`certkit update ${site}\`)`,
      );
    }
    for (const task of replicas) {
      const ref = task.mounts.find((mount) => mount.target === target);
      const secret = ref ? byId.get(ref.secretId) : undefined;
      const mounted = ref ? { name: secret?.name ?? ref.secretName, serial: secret?.labels[LABEL_SERIAL] ?? null, removed: !secret } : null;
      const check = input.served?.get(task.id)?.get(site);
      const served = check === undefined ? undefined : 'serial' in check ? check.serial : null;
      const row: ReplicaRow = {
        site,
        replica: replicaName(service.name, task, node),
        taskId: task.id,
        node: node(task.nodeId),
        state: task.state,
        mounted,
        current,
        served,
        problem: null,
      };
      row.problem = rowProblem(row, check);
      rows.push(row);
    }
  }
  if (service.replicas !== undefined && replicas.length < service.replicas)
    problems.push(`the service ${service.name} has ${replicas.length} of ${service.replicas} replicas scheduled`);
  if (service.global && input.nodes)
    problems.push(
      ...uncoveredNodes({ service: service.name, constraints: service.constraints ?? [], tasks: input.tasks, nodes: input.nodes }),
    );
  if (replicas.length === 0) problems.push(`no task of the service ${service.name} is meant to run: nothing serves the sites`);
  if (service.updateState === 'paused' || service.updateState?.startsWith('rollback'))
    problems.push(
      `Swarm's last update of ${service.name} is ${service.updateState}${service.updateMessage ? ` (${service.updateMessage})` : ''}`,
    );
  return { service: service.name, rows, problems };
}

function rowProblem(row: ReplicaRow, check: ServedCheck | undefined): string | null {
  const who = `replica ${row.replica} (task ${row.taskId.slice(0, 12)}, node ${row.node})`;
  const should = row.current ? `should have ${describe(row.current)}` : '';
  if (!row.current) {
    if (row.mounted)
      return `${who} mounts ${describe(row.mounted)} for site ${row.site}, which certkit no longer lists: the site has no version now`;
    return `site ${row.site} has no secret version yet: ${who} refuses its HTTPS handshakes until certkit rotates its first certificate in`;
  }
  if (!row.mounted)
    return `${who} mounts no version of site ${row.site} (it refuses the site's handshakes); it ${should}: a \`docker stack deploy\` drops certkit's secrets, and the next rotation puts them back`;
  if (row.mounted.removed) return `${who} mounts ${row.mounted.name} for site ${row.site}, a version since removed; it ${should}`;
  if (row.mounted.name !== row.current.name) return `${who} is still on ${describe(row.mounted)} for site ${row.site}; it ${should}`;
  if (row.state !== 'running') return `${who} mounts the current version of site ${row.site} but is ${row.state}, not serving yet`;
  if (check && 'error' in check) return `${who}: the handshake for site ${row.site} failed (${check.error}); it ${should}`;
  if (check && row.current.serial !== null && check.serial !== row.current.serial)
    return `${who} serves serial ${check.serial} for site ${row.site} although it mounts ${row.current.name}; it ${should}`;
  return null;
}

function describe(version: VersionRef): string {
  return version.serial ? `${version.name} (serial ${version.serial})` : version.name;
}

/** The version certkit created last (Swarm's creation time; a tie goes to the name, so the choice is stable). */
function newestVersion(versions: readonly StackSecret[]): StackSecret | undefined {
  return [...versions].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.name.localeCompare(a.name))[0];
}

function replicaName(service: string, task: TaskView, node: (id: string) => string): string {
  return task.slot !== undefined && task.slot > 0 ? `${service}.${task.slot}` : `${service}@${node(task.nodeId)}`;
}

function byReplica(a: TaskView, b: TaskView): number {
  return (a.slot ?? 0) - (b.slot ?? 0) || a.nodeId.localeCompare(b.nodeId) || a.id.localeCompare(b.id);
}

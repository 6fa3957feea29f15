import type { ContainerHealth } from './health-gate.js';
import { taskIsLive, type TaskView } from './rotation-plan.js';

/**
 * Pure: why a rollout did not finish, from what Swarm lists. A node drained or an engine restarted during a rotation
 * stops tasks from outside; Swarm counts a new task stopped within its monitor window as a failure and pauses or rolls
 * the update back ("update paused due to failure or early termination of task ID"), or, under a drain, leaves the
 * drained node's new task pending and the update `updating`. That is task churn: the rollout is worth running again.
 * A new task that exits by itself, fails to start or turns unhealthy is the new version's failure: it is not.
 *
 * Seen on a real three-node swarm (docs/swarm.md, "Multi-node test"): an engine restart short enough that the manager
 * never marks the node down leaves the new task `assigned` and the old one `running` in the manager's view while the
 * engine is away; when it is back, the new task is `rejected` with "error while removing network: unknown network
 * STACK_default id …" (the engine's own networks, not the new version) and Swarm rolls back naming it. A longer one
 * marks the node `down`, and its tasks keep the last state they reported (`running`) until it returns, holding the
 * update's slot there without any task failing.
 */

/** A node as the classification needs it (Swarm's Spec.Availability and Status.State). */
export interface NodeState {
  hostname: string;
  /** active, pause or drain. */
  availability: string;
  /** ready, down, disconnected or unknown. */
  state: string;
  /** manager or worker (Spec.Role), and the node's labels (Spec.Labels): for a global service's placement. */
  role?: string;
  labels?: Record<string, string>;
}

export type FailureCause = 'churn' | 'unhealthy' | 'unknown';

export interface FailureClass {
  cause: FailureCause;
  /** In words, naming the task and its node. */
  reason: string;
}

export interface FailureInput {
  updateMessage: string | undefined;
  tasks: readonly TaskView[];
  nodes: ReadonlyMap<string, NodeState>;
  health: ReadonlyMap<string, ContainerHealth>;
  /** What the new tasks mount (to find them when Swarm's message names none, as after `rollback completed`). */
  newSecretIds: readonly string[];
  newConfigId: string | undefined;
}

/** The task Swarm's message names ("... early termination of task ID"). */
export function failedTaskId(message: string | undefined): string | undefined {
  return /\btask ([a-z0-9]{6,})\b/i.exec(message ?? '')?.[1];
}

/** Stopped from outside: an engine stopping its containers (SIGTERM, SIGKILL), or Swarm losing the node. */
const OUTSIDE_ERROR =
  /non-zero exit \((137|143)\)|node is down|orphan|heartbeat|no longer|context canceled|connection (refused|reset)|error while removing network|unknown network|no such (container|network)/i;

/** One task that ended early: churn (its node went away, or it was stopped from outside) or its own failure. */
export function classifyTask(
  task: TaskView,
  nodes: ReadonlyMap<string, NodeState>,
  health: ReadonlyMap<string, ContainerHealth>,
): FailureClass {
  const node = nodes.get(task.nodeId);
  const where = `task ${task.id.slice(0, 12)} on node ${node?.hostname ?? (task.nodeId || '(none)')}`;
  const what = `${task.state}${task.error ? `: ${task.error}` : ''}`;
  if (/unhealthy/i.test(task.error ?? '') || (task.containerId !== undefined && health.get(task.containerId) === 'unhealthy')) {
    return { cause: 'unhealthy', reason: `${where} turned unhealthy (${what})` };
  }
  if (task.nodeId && !node) return { cause: 'churn', reason: `${where} ended (${what}): its node left the swarm` };
  if (node && node.availability !== 'active')
    return {
      cause: 'churn',
      reason: `${where} ended (${what}): the node is ${node.availability === 'drain' ? 'drained' : node.availability}`,
    };
  if (node && node.state !== 'ready') return { cause: 'churn', reason: `${where} ended (${what}): the node is ${node.state}` };
  if (!task.error && ['shutdown', 'complete', 'orphaned', 'remove'].includes(task.state)) {
    return { cause: 'churn', reason: `${where} was stopped from outside (${what}; an engine restart or a node change)` };
  }
  if (OUTSIDE_ERROR.test(task.error ?? '')) return { cause: 'churn', reason: `${where} was stopped from outside (${what})` };
  if (['failed', 'rejected'].includes(task.state)) return { cause: 'unhealthy', reason: `${where} failed (${what})` };
  return { cause: 'unknown', reason: `${where} ended (${what})` };
}

/**
 * A paused or rolled-back update: the task Swarm names, else the new version's tasks that ended. Any of them failing
 * by itself makes it the new version's failure; all of them stopped from outside make it churn.
 */
export function classifyRolloutFailure(input: FailureInput): FailureClass {
  const named = failedTaskId(input.updateMessage);
  const runsNew = (task: TaskView) =>
    input.newSecretIds.every((id) => task.secretIds.includes(id)) &&
    (input.newConfigId === undefined || (task.configIds ?? []).includes(input.newConfigId));
  const suspects = named
    ? input.tasks.filter((task) => task.id.startsWith(named))
    : input.tasks.filter((task) => runsNew(task) && !taskIsLive(task));
  if (suspects.length === 0) {
    return { cause: 'unknown', reason: named ? `Swarm names task ${named}, which it no longer lists` : 'no task of the new version ended' };
  }
  const classes = suspects.map((task) => classifyTask(task, input.nodes, input.health));
  const unhealthy = classes.find((entry) => entry.cause === 'unhealthy');
  if (unhealthy) return unhealthy;
  if (classes.every((entry) => entry.cause === 'churn')) return { cause: 'churn', reason: classes.map((entry) => entry.reason).join('; ') };
  return { cause: 'unknown', reason: classes.map((entry) => entry.reason).join('; ') };
}

/** What the update must bring every task to (the secrets and config the new tasks mount). */
export interface NewVersion {
  newSecretIds: readonly string[];
  newConfigId: string | undefined;
}

/** Whether a node takes no new task: drained, paused or down (unlisted: not known). */
const nodeAway = (node: NodeState | undefined): boolean => node !== undefined && (node.availability !== 'active' || node.state !== 'ready');
/** Whether what the manager says a node's tasks do may be stale: down, or drained (a paused node still reports). */
const nodeSilent = (node: NodeState | undefined): boolean =>
  node !== undefined && (node.availability === 'drain' || node.state !== 'ready');
/** Swarm's word for a task it cannot place. */
const NOT_PLACED = /not available for new tasks|no suitable node/i;

/**
 * A rollout Swarm holds while still updating: churn when what holds it sits on a node that takes no new task (drained,
 * paused, down), as a drain or an engine restart during a start-first update leaves it. What holds it: a task meant to
 * run that does not run yet there; a task told to stop that never started there (Swarm's new task for a node drained
 * under it); and (with `version`) a task the manager still sees `running` on a node down or drained, of the old version
 * or told to stop (a node that went down keeps its tasks' last state until it returns). Old tasks on ready, active
 * nodes are only queued behind the slot Swarm holds. A task not running yet on a ready, active node (a new task
 * starting there), or one there whose container is unhealthy or still starting, makes it no stall: the rollout is
 * waited for, and its own failure is read as such.
 */
export function classifyStall(
  tasks: readonly TaskView[],
  nodes: ReadonlyMap<string, NodeState>,
  version?: NewVersion,
  health: ReadonlyMap<string, ContainerHealth> = new Map(),
): FailureClass | undefined {
  const runsNew = (task: TaskView) =>
    version !== undefined &&
    version.newSecretIds.every((id) => task.secretIds.includes(id)) &&
    (version.newConfigId === undefined || (task.configIds ?? []).includes(version.newConfigId));
  const reasons: string[] = [];
  for (const task of tasks) {
    const node = nodes.get(task.nodeId);
    const where = `on node ${node?.hostname ?? (task.nodeId || '(none)')}${node ? ` (${node.availability}, ${node.state})` : ''}`;
    const away = nodeAway(node);
    if (task.desiredState === 'running' && task.state !== 'running') {
      if (!away && !NOT_PLACED.test(task.message + (task.error ?? ''))) return undefined;
      reasons.push(`task ${task.id.slice(0, 12)} is ${task.state} ${where}${task.error ? `: ${task.error}` : ''}`);
    } else if (task.desiredState !== 'running' && task.state !== 'running' && taskIsLive(task)) {
      // A new task Swarm created on a node just drained, then told to stop: it stays `pending` ("1 node not available
      // for new tasks") and the updater waits on it for ever.
      if (!away && !NOT_PLACED.test(task.message + (task.error ?? ''))) continue;
      reasons.push(`task ${task.id.slice(0, 12)} (told to stop) is still ${task.state} ${where}${task.error ? `: ${task.error}` : ''}`);
    } else if (task.state === 'running' && !away) {
      const state = task.containerId === undefined ? undefined : health.get(task.containerId);
      if (state === 'unhealthy' || state === 'starting') return undefined;
    } else if (
      task.state === 'running' &&
      nodeSilent(node) &&
      version !== undefined &&
      (task.desiredState !== 'running' || !runsNew(task))
    ) {
      const held = task.desiredState === 'running' ? 'the old version' : 'told to stop';
      reasons.push(`task ${task.id.slice(0, 12)} (${held}) is still seen running ${where}`);
    }
  }
  return reasons.length === 0 ? undefined : { cause: 'churn', reason: reasons.join('; ') };
}

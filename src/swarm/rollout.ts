import { CertkitError, isCertkitError } from '../errors.js';
import { waitFor, type Sleep } from '../wait-for.js';
import { healthGate, type ContainerHealth, type GateVerdict } from './health-gate.js';
import { classifyRolloutFailure, classifyStall, type FailureClass, type NodeState } from './rollout-failure.js';
import type { TaskView } from './rotation-plan.js';
import type { SwarmApi } from './swarm-api.js';

export interface RolloutWait {
  api: SwarmApi;
  serviceId: string;
  serviceName: string;
  /** What every task must run: a secret version, a config version, or both. */
  newSecretId?: string;
  /** Several secrets at once (one sweep's sites, one update). */
  newSecretIds?: readonly string[];
  newConfigId?: string;
  /** False when the service already ran it (no update was made): Swarm's update state is then not looked at. */
  updated: boolean;
  /** What the tasks converge to, for messages ("certkit-web-abc123"). */
  what: string;
  /** The change in words, for a failure ("the rotation to certkit-web-abc123"). */
  change: string;
  timeoutMs: number;
  intervalMs: number;
  /** How long every task it waits for may stay pending on a node that takes none (drained, down): 30 s unless told. */
  stallMs?: number;
  now: () => Date;
  sleep: Sleep;
}

/** A rollout that did not finish, with why: task churn (worth running again) or the new version's own failure. */
export class RolloutFailed extends CertkitError {
  constructor(
    message: string,
    readonly failure: FailureClass,
  ) {
    super('NGINX_NOT_SERVING', message);
  }
}

/**
 * Waits (bounded) until Swarm says the update completed and every live task runs the new version, healthy; a
 * rollback, a paused update or a stall fails with Swarm's message and why (RolloutFailed), and the tasks keep serving
 * the version before.
 */
export async function awaitRollout(wait: RolloutWait): Promise<string> {
  const { api } = wait;
  const newSecretIds = [...(wait.newSecretId === undefined ? [] : [wait.newSecretId]), ...(wait.newSecretIds ?? [])];
  const version = { newSecretIds, newConfigId: wait.newConfigId };
  let seen: { tasks: TaskView[]; health: Map<string, ContainerHealth>; message: string | undefined } | undefined;
  const hint = `The tasks serve the version before it; see \`docker service ps ${wait.serviceName} --no-trunc\``;
  let verdict: GateVerdict;
  let stalled: { since: number; failure: FailureClass } | undefined;
  try {
    verdict = await waitFor<GateVerdict>(
      async () => {
        const now = await api.inspectService(wait.serviceId);
        const tasks = await api.listTasks(wait.serviceId);
        const health = new Map<string, ContainerHealth>();
        for (const task of tasks)
          if (task.containerId && task.state === 'running') health.set(task.containerId, await api.containerHealth(task.containerId));
        seen = { tasks, health, message: now.updateMessage };
        const verdict = healthGate({
          newSecretId: undefined,
          newSecretIds,
          newConfigId: wait.newConfigId,
          replicas: now.replicas,
          updateState: wait.updated ? now.updateState : 'completed',
          updateMessage: now.updateMessage,
          tasks,
          health,
        });
        if (verdict.verdict === 'waiting' && wait.updated && now.updateState === 'updating') {
          // Swarm holds an update on a drained or lost node (a new task waiting there, or an old one the manager still
          // sees running): said before the timeout.
          const stall = classifyStall(tasks, await nodeStates(api), version, health);
          stalled = stall ? { since: stalled?.since ?? wait.now().getTime(), failure: stall } : undefined;
          if (stalled && wait.now().getTime() - stalled.since >= (wait.stallMs ?? 30_000)) return { done: true, value: verdict };
        }
        return { done: verdict.verdict !== 'waiting', value: verdict };
      },
      {
        timeoutMs: wait.timeoutMs,
        intervalMs: wait.intervalMs,
        what: `every task of ${wait.serviceName} to run ${wait.what}, healthy`,
        describe: (value) => value.detail,
        now: wait.now,
        sleep: wait.sleep,
      },
    );
  } catch (error) {
    if (!isCertkitError(error, 'TIMEOUT') || !seen) throw error;
    const stall = classifyStall(seen.tasks, await nodeStates(api), version, seen.health);
    if (!stall) throw error;
    throw new RolloutFailed(`${wait.change} did not finish: ${error.message} (${stall.reason}). ${hint}`, stall);
  }
  if (verdict.verdict === 'waiting' && stalled) {
    throw new RolloutFailed(`${wait.change} did not finish: Swarm holds the update (${stalled.failure.reason}). ${hint}`, stalled.failure);
  }
  if (verdict.verdict === 'failed') {
    const failure = classifyRolloutFailure({
      updateMessage: seen?.message,
      tasks: seen?.tasks ?? [],
      nodes: await nodeStates(api),
      health: seen?.health ?? new Map(),
      newSecretIds,
      newConfigId: wait.newConfigId,
    });
    throw new RolloutFailed(`${wait.change} failed: ${verdict.detail} (${failure.reason}). ${hint}`, failure);
  }
  return verdict.detail;
}

async function nodeStates(api: SwarmApi): Promise<Map<string, NodeState>> {
  // Read only to tell churn from a failure: without it, every early end counts as the new version's.
  return api.nodeStates ? await api.nodeStates().catch(() => new Map<string, NodeState>()) : new Map<string, NodeState>();
}

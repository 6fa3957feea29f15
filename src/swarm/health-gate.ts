import { taskIsLive, type TaskView } from './rotation-plan.js';

/**
 * Pure: whether a rotation has completed. It completes only when Swarm says the update completed and every live
 * nginx task runs the new secret and is healthy; it fails when Swarm rolled back or paused the update.
 *
 * Swarm reports a task with a healthcheck as `starting` until its first healthy check, and replaces one that turns
 * unhealthy, so `running` already means healthy once; where the task's container is on this node its health is
 * read too (a check that fails after the start shows there before Swarm acts on it).
 */
export type ContainerHealth = 'healthy' | 'unhealthy' | 'starting' | 'none' | 'unknown';

/** Swarm's `UpdateStatus.State` (absent before a service's first update). */
export type UpdateState = 'updating' | 'paused' | 'completed' | 'rollback_started' | 'rollback_paused' | 'rollback_completed' | undefined;

export interface GateInput {
  /** The secret every task must run; undefined when the update changes a config alone. */
  newSecretId: string | undefined;
  /** More secrets every task must run (a sweep's several sites, rolled out in one update). */
  newSecretIds?: readonly string[];
  /** A config the tasks must run too (a new nginx.conf version). */
  newConfigId?: string;
  /** Replicas the service wants; undefined for a global service (every live task counts). */
  replicas: number | undefined;
  updateState: UpdateState;
  updateMessage: string | undefined;
  tasks: readonly TaskView[];
  health: ReadonlyMap<string, ContainerHealth>;
}

export type GateVerdict =
  { verdict: 'done'; detail: string } | { verdict: 'waiting'; detail: string } | { verdict: 'failed'; detail: string };

/** Swarm's task states before a container exists (swarmkit's TaskState before `preparing` is done). */
const NEVER_STARTED = new Set(['new', 'allocated', 'pending', 'assigned', 'accepted', 'preparing']);

export function healthGate(input: GateInput): GateVerdict {
  const { updateState, updateMessage } = input;
  if (updateState === 'rollback_started' || updateState === 'rollback_paused' || updateState === 'rollback_completed') {
    return { verdict: 'failed', detail: `Swarm rolled the update back (${updateState}${updateMessage ? `: ${updateMessage}` : ''})` };
  }
  if (updateState === 'paused') {
    return { verdict: 'failed', detail: `Swarm paused the update${updateMessage ? `: ${updateMessage}` : ''}` };
  }
  const live = input.tasks.filter((task) => taskIsLive(task));
  const wanted = live.filter((task) => task.desiredState === 'running');
  const lagging: string[] = [];
  const secrets = [...(input.newSecretId === undefined ? [] : [input.newSecretId]), ...(input.newSecretIds ?? [])];
  for (const task of wanted) {
    const where = `task ${task.slot ?? task.id} on node ${task.nodeId}`;
    if (secrets.some((id) => !task.secretIds.includes(id))) lagging.push(`${where} runs an old secret`);
    else if (input.newConfigId !== undefined && !(task.configIds ?? []).includes(input.newConfigId))
      lagging.push(`${where} runs an old config`);
    else if (task.state !== 'running') lagging.push(`${where} is ${task.state}${task.error ? ` (${task.error})` : ''}`);
    else {
      const health = task.containerId ? (input.health.get(task.containerId) ?? 'unknown') : 'unknown';
      if (health === 'unhealthy' || health === 'starting') lagging.push(`${where} is ${health}`);
    }
  }
  // Tasks told to stop but still up (start-first keeps the old one until the new one is healthy). One told to stop
  // before its container was made never served: a new task Swarm created on a node drained under it stays `pending`
  // there until the node is back, and is not waited for.
  for (const task of live.filter((task) => task.desiredState !== 'running' && !NEVER_STARTED.has(task.state))) {
    lagging.push(`task ${task.slot ?? task.id} on node ${task.nodeId} is still ${task.state} (stopping)`);
  }
  if (input.replicas !== undefined && wanted.length < input.replicas) {
    lagging.push(`${wanted.length} of ${input.replicas} replicas scheduled`);
  }
  if (wanted.length === 0) lagging.push('no task runs');
  if (updateState === 'updating') lagging.push('Swarm is still updating the service');
  if (lagging.length > 0) return { verdict: 'waiting', detail: lagging.join('; ') };
  return {
    verdict: 'done',
    detail: `${wanted.length} task(s) run the new ${secrets.length === 0 ? 'config' : secrets.length === 1 ? 'secret' : `secrets (${secrets.length})`}${secrets.length > 0 && input.newConfigId !== undefined ? ' and config' : ''}, healthy`,
  };
}

import { CertkitError } from '../errors.js';
import { waitFor, type Sleep } from '../wait-for.js';
import { healthGate, type ContainerHealth, type GateVerdict } from './health-gate.js';
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
  now: () => Date;
  sleep: Sleep;
}

/**
 * Waits (bounded) until Swarm says the update completed and every live task runs the new version, healthy; a
 * rollback or a paused update fails with Swarm's message and the tasks keep serving the version before.
 */
export async function awaitRollout(wait: RolloutWait): Promise<string> {
  const { api } = wait;
  const verdict = await waitFor<GateVerdict>(
    async () => {
      const now = await api.inspectService(wait.serviceId);
      const tasks = await api.listTasks(wait.serviceId);
      const health = new Map<string, ContainerHealth>();
      for (const task of tasks)
        if (task.containerId && task.state === 'running') health.set(task.containerId, await api.containerHealth(task.containerId));
      const verdict = healthGate({
        newSecretId: wait.newSecretId,
        newSecretIds: wait.newSecretIds,
        newConfigId: wait.newConfigId,
        replicas: now.replicas,
        updateState: wait.updated ? now.updateState : 'completed',
        updateMessage: now.updateMessage,
        tasks,
        health,
      });
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
  if (verdict.verdict === 'failed') {
    throw new CertkitError(
      'NGINX_NOT_SERVING',
      `${wait.change} failed: ${verdict.detail}. The tasks serve the version before it; see \`docker service ps ${wait.serviceName} --no-trunc\``,
    );
  }
  return verdict.detail;
}

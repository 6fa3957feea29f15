import type { UpdateState } from '../../../src/swarm/health-gate.js';
import { createLogger } from '../../../src/log.js';
import { replicaStatus, type ReplicaReport, type StackSecret } from '../../../src/swarm/replica-status.js';
import type { TaskView } from '../../../src/swarm/rotation-plan.js';

/** A running task on node1 mounting the given secrets. */
export const task = (id: string, secretIds: string[], extra: Partial<TaskView> = {}): TaskView => ({
  id,
  serviceId: 'svc',
  nodeId: 'node1',
  slot: 1,
  desiredState: 'running',
  state: 'running',
  message: 'started',
  error: undefined,
  secretIds,
  mounts: secretIds.map((secretId) => ({ secretId, secretName: `name-${secretId}`, target: `target-${secretId}` })),
  networks: {},
  containerId: `c-${id}`,
  ...extra,
});

/**
 * Swarm's new task for a node drained just after it was created (a real three-node run): told to stop, it stays
 * pending on node2 until the node is back.
 */
export const pendingOnDrained = (id: string, secretIds: string[]): TaskView =>
  task(id, secretIds, { nodeId: 'node2', desiredState: 'shutdown', state: 'pending', error: '1 node not available for new tasks' });

/** A clock that a sleep moves forward, and a logger into `lines`: what a rollout's wait needs, without waiting. */
export const fakeTime = (lines: string[] = []) => {
  let clock = 0;
  return {
    now: () => new Date(clock),
    sleep: (ms: number) => {
      clock += ms;
      return Promise.resolve();
    },
    log: createLogger({ write: (line) => lines.push(line) }),
  };
};

/** Site `web` of stack `st`: a secret version with its serial. */
export const webSecret = (id: string, serial: string, createdAt: string): StackSecret => ({
  id,
  name: `st-web-${id}`,
  createdAt,
  labels: { 'certkit.stack': 'st', 'certkit.site': 'web', 'certkit.serial': serial },
});
export const OLD_WEB = webSecret('v1', 'aa01', '2026-12-01T00:00:00Z');
export const NEW_WEB = webSecret('v2', 'bb02', '2026-12-02T00:00:00Z');
const on = (id: string, slot: number, version: StackSecret): TaskView =>
  task(id, [version.id], { slot, mounts: [{ secretId: version.id, secretName: version.name, target: 'certkit-web.pem' }] });

/** Two replicas of st_nginx, which should mount NEW_WEB: the first does, the second mounts `second`. */
export const twoReplicaReport = (
  second: StackSecret,
  options: { updateState: UpdateState; served?: Map<string, Map<string, { serial: string }>> },
): ReplicaReport =>
  replicaStatus({
    service: {
      name: 'st_nginx',
      replicas: 2,
      secrets: [{ secretId: NEW_WEB.id, secretName: NEW_WEB.name, target: 'certkit-web.pem', uid: '0', gid: '0', mode: 0o400 }],
      updateState: options.updateState,
      updateMessage: undefined,
    },
    tasks: [on('t1', 1, NEW_WEB), on('t2', 2, second)],
    secrets: [OLD_WEB, NEW_WEB],
    ...(options.served ? { served: options.served } : {}),
    nodeNames: new Map([['node1', 'manager-1']]),
  });

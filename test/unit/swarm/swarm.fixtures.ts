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

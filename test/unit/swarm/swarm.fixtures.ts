import { createLogger } from '../../../src/log.js';
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

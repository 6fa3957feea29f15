import { describe, expect, it } from 'vitest';
import type { ContainerHealth } from '../../../src/swarm/health-gate.js';
import { classifyRolloutFailure, classifyStall, failedTaskId, type NodeState } from '../../../src/swarm/rollout-failure.js';
import type { TaskView } from '../../../src/swarm/rotation-plan.js';
import { pendingOnDrained, task } from './swarm.fixtures.js';

const nodes = new Map<string, NodeState>([
  ['node1', { hostname: 'manager-1', availability: 'active', state: 'ready' }],
  ['node2', { hostname: 'worker-1', availability: 'drain', state: 'ready' }],
  ['node3', { hostname: 'worker-2', availability: 'active', state: 'down' }],
]);
const ended = (id: string, extra: Partial<TaskView>) => task(id, ['new'], { desiredState: 'shutdown', state: 'shutdown', ...extra });
const classify = (tasks: TaskView[], message?: string, health = new Map<string, ContainerHealth>()) =>
  classifyRolloutFailure({ updateMessage: message, tasks, nodes, health, newSecretIds: ['new'], newConfigId: undefined });

describe('classifyRolloutFailure: task churn or the new version’s own failure', () => {
  it('reads the task Swarm names in its message', () => {
    expect(failedTaskId('update paused due to failure or early termination of task 9p7ith557h8ndf0ui9s0q951b')).toBe(
      '9p7ith557h8ndf0ui9s0q951b',
    );
    expect(failedTaskId('rollback completed')).toBeUndefined();
  });

  it('is churn when the named task’s node was drained, is down, or left the swarm', () => {
    const message = (id: string) => `update rolled back due to failure or early termination of task ${id}`;
    expect(classify([ended('taskdrained1', { nodeId: 'node2' })], message('taskdrained1'))).toEqual({
      cause: 'churn',
      reason: 'task taskdrained1 on node worker-1 ended (shutdown): the node is drained',
    });
    expect(
      classify([ended('taskdown0001', { nodeId: 'node3', state: 'failed', error: 'task: non-zero exit (1)' })], message('taskdown0001')),
    ).toMatchObject({
      cause: 'churn',
      reason: expect.stringMatching(/on node worker-2 ended \(failed: task: non-zero exit \(1\)\): the node is down/) as string,
    });
    expect(classify([ended('taskgone0001', { nodeId: 'node9' })], message('taskgone0001'))).toMatchObject({ cause: 'churn' });
  });

  it('is churn when a task on a ready, active node was stopped from outside (an engine restart)', () => {
    expect(
      classify([ended('taskrestart1', { state: 'complete' })], 'update paused due to failure or early termination of task taskrestart1'),
    ).toMatchObject({
      cause: 'churn',
      reason: expect.stringMatching(/task taskrestart1 on node manager-1 was stopped from outside \(complete; an engine restart/) as string,
    });
    expect(classify([ended('taskkilled01', { state: 'failed', error: 'task: non-zero exit (137)' })], 'of task taskkilled01').cause).toBe(
      'churn',
    );
  });

  // Seen on a real three-node swarm (test/e2e/swarm-multi-node.test.ts, current stack): a worker's engine restarted
  // during the update while the manager kept the node `ready`; the new task there sat `assigned`, then was rejected.
  it('is churn when an engine restart rejects the new task over the engine’s own network, on a ready node', () => {
    const rejected = ended('cms8kse9y375u0k1pink10sgu', {
      nodeId: 'node1',
      state: 'rejected',
      error: 'error while removing network: unknown network cks3e6b57_default id 8tbf7a7js5nefxh7mm1d1vym4',
    });
    expect(classify([rejected], 'update rolled back due to failure or early termination of task cms8kse9y375u0k1pink10sgu')).toEqual({
      cause: 'churn',
      reason:
        'task cms8kse9y375 on node manager-1 was stopped from outside (rejected: error while removing network: unknown network cks3e6b57_default id 8tbf7a7js5nefxh7mm1d1vym4)',
    });
    // The old task beside it ended the same way: still churn after `rollback completed`.
    const old = ended('ysvepfi6n3mr', { state: 'failed', error: 'error while removing network: unknown network x_default id y' });
    expect(classify([old], 'rollback completed').cause).toBe('churn');
  });

  it('is the new version’s failure when its task turned unhealthy, exited by itself or could not start', () => {
    const message = 'update rolled back due to failure or early termination of task taskbad00001';
    expect(classify([ended('taskbad00001', { state: 'failed', error: 'task: unhealthy container' })], message)).toEqual({
      cause: 'unhealthy',
      reason: 'task taskbad00001 on node manager-1 turned unhealthy (failed: task: unhealthy container)',
    });
    expect(classify([ended('taskbad00001', { state: 'failed', error: 'task: non-zero exit (1)' })], message)).toMatchObject({
      cause: 'unhealthy',
      reason: expect.stringMatching(/failed \(failed: task: non-zero exit \(1\)\)/) as string,
    });
    expect(classify([ended('taskbad00001', { state: 'rejected', error: 'starting container failed: no such file' })], message).cause).toBe(
      'unhealthy',
    );
    // Its container's health read on this node says so before Swarm does.
    const health = new Map<string, ContainerHealth>([['c-taskbad00001', 'unhealthy']]);
    expect(classify([ended('taskbad00001', { nodeId: 'node2' })], message, health).cause).toBe('unhealthy');
  });

  it('after `rollback completed` (no task named) looks at the new version’s tasks that ended; unhealthy wins over churn', () => {
    const drained = ended('taskdrained1', { nodeId: 'node2' });
    const old = task('taskold00001', ['old'], { desiredState: 'shutdown', state: 'failed', error: 'task: non-zero exit (1)' });
    expect(classify([drained, old, task('taskrun00001', ['old'])], 'rollback completed').cause).toBe('churn');
    expect(
      classify([drained, ended('taskbad00001', { state: 'failed', error: 'task: non-zero exit (2)' })], 'rollback completed').cause,
    ).toBe('unhealthy');
    expect(classify([task('taskrun00001', ['old'])], 'rollback completed')).toEqual({
      cause: 'unknown',
      reason: 'no task of the new version ended',
    });
    expect(classify([], 'update paused due to failure or early termination of task vanished0001').cause).toBe('unknown');
  });
});

describe('classifyStall: an update Swarm holds', () => {
  it('is churn when every task it waits for is pending on a node that takes no new task', () => {
    const pending = task('taskpending1', ['new'], { nodeId: 'node2', state: 'pending', message: 'pending task scheduling' });
    expect(classifyStall([task('a', ['new']), pending], nodes)).toEqual({
      cause: 'churn',
      reason: 'task taskpending1 is pending on node worker-1 (drain, ready)',
    });
    const unplaced = task('taskpending2', ['new'], {
      nodeId: '',
      state: 'pending',
      error: 'no suitable node (1 node not available for new tasks)',
    });
    expect(classifyStall([unplaced], nodes)?.cause).toBe('churn');
  });

  it('is nothing when a task waits on a ready, active node, or none waits', () => {
    expect(classifyStall([task('a', ['new'], { state: 'starting' })], nodes)).toBeUndefined();
    expect(classifyStall([task('a', ['new'])], nodes)).toBeUndefined();
  });

  const version = { newSecretIds: ['new'], newConfigId: undefined };
  it('is churn when the slot Swarm holds is an old task the manager still sees running on a node that is down', () => {
    // A worker's engine stopped: the node is `down` and its task keeps the state it last reported, desired `running`.
    const stale = task('taskstale001', ['old'], { nodeId: 'node3' });
    const queued = task('taskqueued01', ['old'], { nodeId: 'node1' });
    expect(classifyStall([task('a', ['new']), queued, stale], nodes, version)).toEqual({
      cause: 'churn',
      reason: 'task taskstale001 (the old version) is still seen running on node worker-2 (active, down)',
    });
    // Told to stop (start-first replaced it) but never seen stopping: the node is drained or down.
    const stopping = task('taskstop0001', ['old'], { nodeId: 'node2', desiredState: 'shutdown' });
    expect(classifyStall([task('a', ['new']), stopping], nodes, version)).toEqual({
      cause: 'churn',
      reason: 'task taskstop0001 (told to stop) is still seen running on node worker-1 (drain, ready)',
    });
    // Without the version it looks only at tasks waiting to run (as before).
    expect(classifyStall([task('a', ['new']), stale], nodes)).toBeUndefined();
    // A paused node still reports on its tasks, and Swarm does not update them: its old task holds nothing.
    const paused = new Map([...nodes, ['node4', { hostname: 'worker-3', availability: 'pause', state: 'ready' }]]);
    expect(classifyStall([task('a', ['new']), task('taskpaused01', ['old'], { nodeId: 'node4' })], paused, version)).toBeUndefined();
  });

  // Seen on a real three-node swarm: the worker drained just after Swarm created its new task; the task, told to stop,
  // stayed pending, the update `updating` with every other task running, until the rotation's timeout.
  it('is churn when the update waits on a task told to stop that stays pending on the drained node', () => {
    const pending = pendingOnDrained('ujmz9x7grrxseejmzwtzrifej', ['new']);
    const restarted = task('4eulhglnzn51', ['old'], { nodeId: 'node1' });
    expect(classifyStall([task('velc4fvyeaa6', ['new']), pending, restarted], nodes, version)).toEqual({
      cause: 'churn',
      reason: 'task ujmz9x7grrxs (told to stop) is still pending on node worker-1 (drain, ready): 1 node not available for new tasks',
    });
    // The same task on a ready, active node with no such message holds nothing: it is just stopping.
    const stopping = { ...pending, nodeId: 'node1', error: undefined };
    expect(classifyStall([task('velc4fvyeaa6', ['new']), stopping], nodes, version)).toBeUndefined();
  });

  it('is never churn while a new task starts on a ready node or runs there unhealthy, whatever another node does', () => {
    const stale = task('taskstale001', ['old'], { nodeId: 'node3' });
    // The engine restart the manager has not noticed yet: the new task sits `assigned` on a ready node.
    expect(classifyStall([task('new1', ['new'], { state: 'assigned' }), stale], nodes, version)).toBeUndefined();
    expect(classifyStall([task('new1', ['new'], { state: 'starting' }), stale], nodes, version)).toBeUndefined();
    const unhealthy = new Map<string, ContainerHealth>([['c-new1', 'unhealthy']]);
    expect(classifyStall([task('new1', ['new']), stale], nodes, version, unhealthy)).toBeUndefined();
    const starting = new Map<string, ContainerHealth>([['c-new1', 'starting']]);
    expect(classifyStall([task('new1', ['new']), stale], nodes, version, starting)).toBeUndefined();
    // Old tasks on ready nodes only: nothing holds the update on a node that is away.
    expect(classifyStall([task('old1', ['old']), task('old2', ['old'], { desiredState: 'shutdown' })], nodes, version)).toBeUndefined();
  });
});

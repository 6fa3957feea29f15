import { describe, expect, it } from 'vitest';
import { healthGate, type ContainerHealth, type GateInput } from '../../../src/swarm/health-gate.js';
import { pendingOnDrained, task } from './swarm.fixtures.js';

const gate = (extra: Partial<GateInput>) =>
  healthGate({
    newSecretId: 'v2',
    replicas: 2,
    updateState: 'completed',
    updateMessage: undefined,
    tasks: [task('a', ['v2'], { slot: 1 }), task('b', ['v2'], { slot: 2 })],
    health: new Map<string, ContainerHealth>([
      ['c-a', 'healthy'],
      ['c-b', 'healthy'],
    ]),
    ...extra,
  });

describe('healthGate', () => {
  it('is done when the update completed and every replica runs the new secret, healthy', () => {
    expect(gate({})).toEqual({ verdict: 'done', detail: '2 task(s) run the new secret, healthy' });
  });

  it('waits while a replica runs the old secret, is starting, or an old task is still stopping', () => {
    expect(gate({ tasks: [task('a', ['v2']), task('b', ['v1'], { slot: 2 })] }).detail).toBe('task 2 on node node1 runs an old secret');
    expect(gate({ tasks: [task('a', ['v2']), task('b', ['v2'], { slot: 2, state: 'starting' })] }).detail).toBe(
      'task 2 on node node1 is starting',
    );
    expect(
      gate({
        health: new Map([
          ['c-a', 'healthy'],
          ['c-b', 'starting'],
        ]),
      }).detail,
    ).toBe('task 2 on node node1 is starting');
    const stopping = task('old', ['v1'], { slot: 2, desiredState: 'shutdown', state: 'running' });
    expect(gate({ tasks: [task('a', ['v2']), task('b', ['v2'], { slot: 2 }), stopping] }).detail).toBe(
      'task 2 on node node1 is still running (stopping)',
    );
    expect(gate({ updateState: 'updating' }).verdict).toBe('waiting');
  });

  it('waits while fewer replicas than wanted are scheduled, or none runs', () => {
    expect(gate({ tasks: [task('a', ['v2'])] }).detail).toBe('1 of 2 replicas scheduled');
    expect(gate({ tasks: [], replicas: undefined }).detail).toBe('no task runs');
  });

  it('counts a task on another node (health unknown here) once Swarm says it runs', () => {
    expect(gate({ health: new Map() }).verdict).toBe('done');
  });

  it('fails when Swarm rolled back or paused the update, with its message', () => {
    expect(gate({ updateState: 'rollback_completed', updateMessage: 'update rolled back due to failure' })).toEqual({
      verdict: 'failed',
      detail: 'Swarm rolled the update back (rollback_completed: update rolled back due to failure)',
    });
    expect(gate({ updateState: 'paused', updateMessage: 'task failed' }).verdict).toBe('failed');
  });

  it('ignores finished tasks of earlier versions', () => {
    const gone = task('old', ['v1'], { desiredState: 'shutdown', state: 'shutdown' });
    expect(gate({ tasks: [task('a', ['v2']), task('b', ['v2'], { slot: 2 }), gone] }).verdict).toBe('done');
  });

  // Seen on a real three-node swarm: a worker drained just after Swarm created its new task; told to stop, the task
  // stayed `pending` ("1 node not available for new tasks") while every other task ran the new version.
  it('does not wait for a task told to stop before it ever started', () => {
    const neverStarted = pendingOnDrained('5f80uxokkwwy', ['v2']);
    expect(gate({ updateState: 'completed', tasks: [task('a', ['v2']), task('b', ['v2'], { slot: 2 }), neverStarted] }).verdict).toBe(
      'done',
    );
    // Started, it is waited for until it stops.
    expect(gate({ tasks: [task('a', ['v2']), { ...neverStarted, state: 'starting' }] }).detail).toMatch(/is still starting \(stopping\)/);
  });
});

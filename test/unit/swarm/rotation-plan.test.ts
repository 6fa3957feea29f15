import { describe, expect, it } from 'vitest';
import { planCleanup, planServiceSecrets, type SecretRef } from '../../../src/swarm/rotation-plan.js';
import { task } from './swarm.fixtures.js';

const ref = (id: string, target: string, extra: Partial<SecretRef> = {}): SecretRef => ({
  secretId: id,
  secretName: `name-${id}`,
  target,
  uid: '0',
  gid: '0',
  mode: 0o400,
  ...extra,
});

const version = (id: string) => ({ id, name: `s-wiki-${id}`, createdAt: '2025-01-01T00:00:00Z' });

describe('planServiceSecrets', () => {
  it('points the reference with the target at the new version, keeping its mode and every other secret', () => {
    const other = ref('db', 'db-password', { mode: 0o444 });
    const old = ref('v1', 'certkit-wiki.pem', { uid: '101', mode: 0o440 });
    const plan = planServiceSecrets([other, old], { id: 'v2', name: 's-wiki-v2', target: 'certkit-wiki.pem' });
    expect(plan.changed).toBe(true);
    expect(plan.replaced).toEqual(old);
    expect(plan.secrets).toEqual([other, { ...old, secretId: 'v2', secretName: 's-wiki-v2' }]);
  });

  it('adds the reference (root only, 0400) when the service has none, as after a stack deploy', () => {
    const plan = planServiceSecrets([], { id: 'v1', name: 's-wiki-v1', target: 'certkit-wiki.pem' });
    expect(plan.changed).toBe(true);
    expect(plan.replaced).toBeUndefined();
    expect(plan.secrets).toEqual([
      { secretId: 'v1', secretName: 's-wiki-v1', target: 'certkit-wiki.pem', uid: '0', gid: '0', mode: 0o400 },
    ]);
  });

  it('changes nothing when the service already runs the version', () => {
    const plan = planServiceSecrets([ref('v2', 'certkit-wiki.pem')], { id: 'v2', name: 'name-v2', target: 'certkit-wiki.pem' });
    expect(plan.changed).toBe(false);
  });

  it('folds two references to one target into one', () => {
    const plan = planServiceSecrets([ref('v1', 'certkit-wiki.pem'), ref('v2', 'certkit-wiki.pem')], {
      id: 'v2',
      name: 'name-v2',
      target: 'certkit-wiki.pem',
    });
    expect(plan.changed).toBe(true);
    expect(plan.secrets).toHaveLength(1);
  });
});

describe('planCleanup', () => {
  it('removes versions no spec references and no live task mounts, keeping the current one', () => {
    const plan = planCleanup({
      versions: [version('v1'), version('v2'), version('v3')],
      current: 'v3',
      referencedByServices: new Set(['v3']),
      tasks: [task('t3', ['v3']), task('t1', ['v1'], { desiredState: 'shutdown', state: 'shutdown' })],
    });
    expect(plan.remove.map((v) => v.id)).toEqual(['v1', 'v2']);
    expect(plan.keep.map((k) => k.version.id)).toEqual(['v3']);
  });

  it('keeps a version a task still stopping mounts, and one another service references', () => {
    const plan = planCleanup({
      versions: [version('v1'), version('v2'), version('v3')],
      current: 'v3',
      referencedByServices: new Set(['v3', 'v2']),
      tasks: [task('t1', ['v1'], { desiredState: 'shutdown', state: 'running' })],
    });
    expect(plan.remove).toEqual([]);
    expect(plan.keep.map((k) => [k.version.id, k.reason])).toEqual([
      ['v1', 'task t1 (running) mounts it'],
      ['v2', "a service's spec references it"],
      ['v3', 'the current version'],
    ]);
  });

  it('keeps a version a task being scheduled will mount', () => {
    const plan = planCleanup({
      versions: [version('v1')],
      current: 'v2',
      referencedByServices: new Set(),
      tasks: [task('t1', ['v1'], { desiredState: 'running', state: 'preparing' })],
    });
    expect(plan.remove).toEqual([]);
  });
});

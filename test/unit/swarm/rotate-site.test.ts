import { describe, expect, it } from 'vitest';
import { CertkitError } from '../../../src/errors.js';
import type { ContainerHealth } from '../../../src/swarm/health-gate.js';
import type { SecretRef, TaskView } from '../../../src/swarm/rotation-plan.js';
import { rotateSiteCertificate } from '../../../src/swarm/rotate-site.js';
import type { ServiceView, SwarmApi } from '../../../src/swarm/swarm-api.js';
import { fakeTime, task } from './swarm.fixtures.js';

// The orchestration's decisions against an in-memory swarm that converges (or rolls back) when updated; the real
// Swarm is in test/e2e/swarm-single-node.test.ts.
function fakeSwarm(options: { outcome: 'converge' | 'rollback' | 'stuck'; refuseRemove?: boolean }) {
  const secrets = new Map<string, { name: string; labels: Record<string, string>; data: Buffer }>();
  secrets.set('v0', { name: 'st-web-000000000000', labels: { 'certkit.stack': 'st', 'certkit.site': 'web' }, data: Buffer.from('old') });
  let refs: SecretRef[] = [
    { secretId: 'v0', secretName: 'st-web-000000000000', target: 'certkit-web.pem', uid: '0', gid: '0', mode: 0o400 },
  ];
  let tasks: TaskView[] = [task('a', ['v0'], { slot: 1 }), task('b', ['v0'], { slot: 2 })];
  let state: ServiceView['updateState'] = 'completed';
  const calls: string[] = [];
  const service = (): ServiceView => ({
    id: 'svc',
    name: 'st_nginx',
    version: 1,
    replicas: 2,
    secrets: refs,
    updateState: state,
    updateMessage: state === 'rollback_completed' ? 'update rolled back due to failure or early termination' : undefined,
    spec: {},
  });
  const api: SwarmApi = {
    swarmState: () => Promise.resolve({ state: 'active', manager: true, nodeId: 'node1' }),
    createSecret: (secret) => {
      calls.push(`create ${secret.name}`);
      secrets.set(`v${secrets.size}`, secret);
      return Promise.resolve(`v${secrets.size - 1}`);
    },
    listSecrets: () =>
      Promise.resolve([...secrets].map(([id, secret]) => ({ id, name: secret.name, createdAt: '', labels: secret.labels }))),
    removeSecret: (id) => {
      calls.push(`remove ${id}`);
      if (options.refuseRemove) return Promise.reject(new CertkitError('DOCKER_FAILED', 'secret is in use'));
      secrets.delete(id);
      return Promise.resolve();
    },
    inspectService: () => Promise.resolve(service()),
    referencedSecrets: () => Promise.resolve(new Set(refs.map((ref) => ref.secretId))),
    updateService: (_service, change) => {
      const changed = change.secrets ?? [];
      calls.push(`update ${changed.map((ref) => ref.secretId).join(',')}`);
      const next = changed[0]?.secretId as string;
      if (options.outcome === 'converge') {
        refs = changed;
        tasks = [
          task('c', [next], { slot: 1 }),
          task('d', [next], { slot: 2 }),
          task('a', ['v0'], { desiredState: 'shutdown', state: 'shutdown' }),
        ];
      } else if (options.outcome === 'rollback') state = 'rollback_completed';
      else state = 'updating';
      return Promise.resolve([]);
    },
    listTasks: () => Promise.resolve(tasks),
    containerHealth: () => Promise.resolve<ContainerHealth>('healthy'),
    nodeNames: () => Promise.resolve(new Map([['node1', 'manager-1']])),
  };
  return { api, calls, secrets };
}

const run = (api: SwarmApi, lines: string[]) => {
  return rotateSiteCertificate({
    api,
    stack: 'st',
    service: 'st_nginx',
    siteId: 'web',
    fullchainPem: '-----BEGIN CERTIFICATE-----\nNEW\n-----END CERTIFICATE-----\n',
    keyPem: '-----BEGIN PRIVATE KEY-----\nSECRET\n-----END PRIVATE KEY-----\n',
    serial: 'abc',
    notAfter: new Date('2030-01-01T00:00:00Z'),
    timeoutMs: 10_000,
    intervalMs: 1_000,
    monitorMs: 3_000,
    ...fakeTime(lines),
  });
};

describe('rotateSiteCertificate', () => {
  it('creates the version, updates the service, waits for the gate, and removes the old version', async () => {
    const swarm = fakeSwarm({ outcome: 'converge' });
    const lines: string[] = [];
    const result = await run(swarm.api, lines);
    expect(result.updated).toBe(true);
    expect(result.secret.name).toMatch(/^st-web-[0-9a-f]{12}$/);
    expect(result.removed).toEqual(['st-web-000000000000']);
    expect(swarm.calls).toEqual([`create ${result.secret.name}`, 'update v1', 'remove v0']);
    // The secret holds the key and the chain; no log line does.
    expect(String(swarm.secrets.get('v1')?.data)).toMatch(/PRIVATE KEY[\s\S]*CERTIFICATE/);
    expect(lines.join('')).not.toMatch(/PRIVATE KEY|SECRET|BEGIN/);
  });

  it('fails with Swarm’s message when Swarm rolled the update back, removing nothing', async () => {
    const swarm = fakeSwarm({ outcome: 'rollback' });
    await expect(run(swarm.api, [])).rejects.toThrow(
      /the update of st_nginx to st-web-[0-9a-f]{12} failed: Swarm rolled the update back \(rollback_completed: update rolled back/,
    );
    expect(swarm.calls.filter((call) => call.startsWith('remove'))).toEqual([]);
  });

  it('gives up after the timeout, naming what it waited for and the last state', async () => {
    const swarm = fakeSwarm({ outcome: 'stuck' });
    await expect(run(swarm.api, [])).rejects.toThrow(
      /timed out after 10 s waiting for every task of st_nginx to run st-web-.*; last seen: task 1 on node node1 runs an old secret/,
    );
  });

  it('keeps a version Swarm refuses to remove, and says why', async () => {
    const swarm = fakeSwarm({ outcome: 'converge', refuseRemove: true });
    const result = await run(swarm.api, []);
    expect(result.removed).toEqual([]);
    expect(result.kept).toEqual([{ name: 'st-web-000000000000', reason: 'secret is in use' }]);
  });

  it('refuses to run against a worker or an engine in no swarm', async () => {
    const swarm = fakeSwarm({ outcome: 'converge' });
    swarm.api.swarmState = () => Promise.resolve({ state: 'inactive', manager: false, nodeId: '' });
    await expect(run(swarm.api, [])).rejects.toThrow(/not in a swarm \(inactive\): certkit rotates secrets through a manager/);
  });
});

import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.js';
import type { ConfigRef } from '../../../src/swarm/map-swarm.js';
import type { SecretRef, TaskView } from '../../../src/swarm/rotation-plan.js';
import type { SiteCertificate } from '../../../src/swarm/rotate-site.js';
import { NGINX_CONF_TARGET } from '../../../src/swarm/serving-plan.js';
import { rollOutSweep } from '../../../src/swarm/sweep-rollout.js';
import type { ServiceView, StackApi } from '../../../src/swarm/swarm-api.js';
import type { SwarmSiteOutcome } from '../../../src/swarm/swarm-update.js';
import { fakeTime, pendingOnDrained, task } from './swarm.fixtures.js';

// The sweep's orchestration against an in-memory swarm: how many service updates, which site fails alone. The real
// Swarm counts its updates in test/e2e/swarm-update.test.ts.
function fakeSwarm(
  outcome: 'converge' | 'rollback' | 'churn-once' | 'stall-once' | 'stall-stopped' | 'unhealthy' | 'bad-site',
  spec: ServiceView['spec'] = {},
) {
  const secrets = new Map<string, { name: string; labels: Record<string, string> }>([
    ['old-web', { name: 'st-web-000000000000', labels: { 'certkit.stack': 'st', 'certkit.site': 'web' } }],
  ]);
  const configs = new Map<string, { name: string; labels: Record<string, string> }>([
    ['conf-old', { name: 'st-nginx-old', labels: { 'certkit.stack': 'st', 'certkit.config': 'nginx-conf' } }],
  ]);
  let refs: SecretRef[] = [
    { secretId: 'old-web', secretName: 'st-web-000000000000', target: 'certkit-web.pem', uid: '0', gid: '0', mode: 0o400 },
  ];
  let confRefs: ConfigRef[] = [
    { configId: 'conf-old', configName: 'st-nginx-old', target: NGINX_CONF_TARGET, uid: '0', gid: '0', mode: 0o444 },
  ];
  let tasks: TaskView[] = [task('a', ['old-web'], { configIds: ['conf-old'] })];
  let state: ServiceView['updateState'] = 'completed';
  let message: string | undefined;
  const updates: Array<{ secrets: string[]; configs: string[]; order: string | undefined; supersede?: string }> = [];
  const removed: string[] = [];
  const byLabels = (map: Map<string, { name: string; labels: Record<string, string> }>, labels: readonly string[]) =>
    [...map]
      .filter(([, entry]) => labels.every((label) => entry.labels[label.split('=')[0] as string] === label.split('=')[1]))
      .map(([id, entry]) => ({ id, name: entry.name, createdAt: '', labels: entry.labels }));
  const service = (): ServiceView => ({
    id: 'svc',
    name: 'st_nginx',
    version: updates.length + 1,
    replicas: 1,
    secrets: refs,
    configs: confRefs,
    updateState: state,
    updateMessage: message,
    spec,
  });
  const api: StackApi = {
    swarmState: () => Promise.resolve({ state: 'active', manager: true, nodeId: 'node1' }),
    createSecret: (secret) => {
      const id = `s${secrets.size}`;
      secrets.set(id, secret);
      return Promise.resolve(id);
    },
    listSecrets: (labels) => Promise.resolve(byLabels(secrets, labels)),
    removeSecret: (id) => {
      removed.push(secrets.get(id)?.name ?? id);
      secrets.delete(id);
      return Promise.resolve();
    },
    inspectService: () => Promise.resolve(service()),
    referencedSecrets: () => Promise.resolve(new Set(refs.map((ref) => ref.secretId))),
    updateService: (_service, change) => {
      updates.push({
        secrets: (change.secrets ?? []).map((ref) => ref.secretName).sort(),
        configs: (change.configs ?? []).map((ref) => ref.configName),
        order: change.order,
        ...(change.supersede ? { supersede: change.supersede } : {}),
      });
      if (outcome === 'rollback') {
        state = 'rollback_completed';
        message = 'rollback completed';
        return Promise.resolve([]);
      }
      if (outcome === 'bad-site' && (change.secrets ?? []).some((ref) => ref.secretName.startsWith('st-bad-') && !refs.includes(ref))) {
        // Its new task turns unhealthy: Swarm rolls back (the spec before), naming the task while it does.
        state = 'rollback_started';
        message = 'update rolled back due to failure or early termination of task tasknew00001';
        const failed = (change.secrets ?? []).map((ref) => ref.secretId);
        tasks = [
          ...tasks.filter((entry) => entry.id !== 'tasknew00001'),
          task('tasknew00001', failed, { desiredState: 'shutdown', state: 'failed', error: 'task: unhealthy container' }),
        ];
        return Promise.resolve([]);
      }
      // Swarm holds the new spec (a paused update keeps it); only the tasks tell how far it went.
      refs = change.secrets ?? refs;
      confRefs = change.configs ?? confRefs;
      const next = refs.map((ref) => ref.secretId);
      if (outcome === 'stall-once' && updates.length === 1) {
        // A drain during a start-first update: the drained node's new task stays pending, the update `updating`.
        state = 'updating';
        message = 'update in progress';
        tasks = [...tasks, task('taskpending1', next, { nodeId: 'node2', state: 'pending', message: 'pending task scheduling' })];
        return Promise.resolve([]);
      }
      if (outcome === 'stall-stopped' && updates.length === 1) {
        // The drain just after Swarm created the node's new task (a real run): told to stop, it stays pending, and the
        // task here already runs the new version.
        state = 'updating';
        message = 'update in progress';
        tasks = [task('b', next, { configIds: confRefs.map((ref) => ref.configId) }), pendingOnDrained('taskpending1', next)];
        return Promise.resolve([]);
      }
      if (outcome === 'unhealthy' || (outcome === 'churn-once' && updates.length === 1)) {
        // Swarm paused it: the new task ended on a drained worker, or turned unhealthy here.
        const ended =
          outcome === 'unhealthy' ? { nodeId: 'node1', error: 'task: unhealthy container' } : { nodeId: 'node2', error: undefined };
        state = 'paused';
        message = 'update paused due to failure or early termination of task tasknew00001';
        tasks = [...tasks, task('tasknew00001', next, { ...ended, desiredState: 'shutdown', state: ended.error ? 'failed' : 'shutdown' })];
        return Promise.resolve([]);
      }
      state = 'completed';
      message = 'update completed';
      tasks = [
        task(
          'b',
          refs.map((ref) => ref.secretId),
          { configIds: confRefs.map((ref) => ref.configId) },
        ),
      ];
      return Promise.resolve([]);
    },
    listTasks: () => Promise.resolve(tasks),
    containerHealth: () => Promise.resolve('healthy'),
    nodeNames: () => Promise.resolve(new Map()),
    nodeStates: () =>
      Promise.resolve(
        new Map([
          ['node1', { hostname: 'manager-1', availability: 'active', state: 'ready' }],
          ['node2', { hostname: 'worker-1', availability: 'drain', state: 'ready' }],
        ]),
      ),
    listStackServices: () => Promise.resolve([]),
    listConfigs: (labels) => Promise.resolve(byLabels(configs, labels)),
    readConfig: () => Promise.resolve(Buffer.from('')),
    createConfig: (config) => {
      configs.set(`conf-${configs.size}`, config);
      return Promise.resolve(`conf-${configs.size - 1}`);
    },
    removeConfig: (id) => {
      removed.push(configs.get(id)?.name ?? id);
      configs.delete(id);
      return Promise.resolve();
    },
    watchServiceEvents: () => Promise.resolve(),
  };
  return { api, updates, removed };
}

const certificate = (siteId: string, bytes = 100): SiteCertificate => ({
  stack: 'st',
  siteId,
  fullchainPem: `-----BEGIN CERTIFICATE-----\n${siteId.padEnd(bytes, 'x')}\n-----END CERTIFICATE-----\n`,
  keyPem: '-----BEGIN PRIVATE KEY-----\nSECRET\n-----END PRIVATE KEY-----\n',
  serial: `serial-${siteId}`,
  notAfter: new Date('2030-01-01T00:00:00Z'),
});
const outcome = (site: string): SwarmSiteOutcome => ({
  site,
  names: [`${site}.example.test`],
  declaredIn: ['.env'],
  result: { action: 'unchanged', reasons: [], serial: 'x', notAfter: undefined, secret: 'x', serving: 'restore', removed: [] },
});

const sweep = (api: StackApi, sites: Array<{ outcome: SwarmSiteOutcome; pending: SiteCertificate | undefined }>, lines: string[]) => {
  return rollOutSweep({
    api,
    stack: 'st',
    service: 'svc',
    sites,
    conf: { name: 'st-nginx-new', version: { id: 'conf-new', name: 'st-nginx-new', target: NGINX_CONF_TARGET }, mounted: 'st-nginx-old' },
    rollout: { monitorMs: 1_000, timeoutMs: 20_000, intervalMs: 1_000 },
    ...fakeTime(lines),
  });
};

describe('rollOutSweep: a sweep’s sites and nginx.conf in one service update', () => {
  it('puts three sites and nginx.conf in with one update; a site past 500 KB fails alone; old versions go', async () => {
    const swarm = fakeSwarm('converge');
    const lines: string[] = [];
    const sites = ['web', 'app', 'big', 'same'].map((site) => ({
      outcome: outcome(site),
      pending: site === 'same' ? undefined : certificate(site, site === 'big' ? 600 * 1024 : 100),
    }));
    const conf = await sweep(swarm.api, sites, lines);
    expect(swarm.updates).toHaveLength(1);
    expect(swarm.updates[0]?.secrets).toEqual([expect.stringMatching(/^st-app-/), expect.stringMatching(/^st-web-/)]);
    expect(swarm.updates[0]?.configs).toEqual(['st-nginx-new']);
    expect(swarm.updates[0]?.order).toBe('start-first');
    expect(conf).toEqual({ name: 'st-nginx-new', changed: true, removed: ['st-nginx-old'] });
    const [web, app, big, same] = sites.map((entry) => entry.outcome);
    expect(web?.result?.removed).toEqual(['st-web-000000000000']);
    expect(app?.error).toBeUndefined();
    expect(big?.result).toBeUndefined();
    expect(big?.error?.message).toMatch(/site big: .* over Swarm's limit of 512000 bytes/);
    expect(same?.error).toBeUndefined();
    expect(lines.join('')).toMatch(/service st_nginx: one update for sites web, app and nginx\.conf/);
    expect(lines.join('')).not.toMatch(/PRIVATE KEY|SECRET/);
  });

  it('a rolled-back update fails every site in it, keeps the versions, and reports nginx.conf not rolled out', async () => {
    const swarm = fakeSwarm('rollback');
    const sites = ['web', 'app'].map((site) => ({ outcome: outcome(site), pending: certificate(site) }));
    const conf = await sweep(swarm.api, sites, []);
    expect(swarm.updates).toHaveLength(1);
    for (const entry of sites)
      expect(entry.outcome.error?.message).toMatch(/the update of st_nginx to .* failed: Swarm rolled the update back/);
    expect(conf).toMatchObject({ name: 'st-nginx-old', changed: false, failed: expect.stringMatching(/rolled the update back/) as string });
    expect(swarm.removed).toEqual([]);
  });

  it('with no site to roll out and nginx.conf current, makes no update; a failed nginx.conf alone fails the run', async () => {
    const swarm = fakeSwarm('converge');
    const none = await rollOutSweep({
      ...{ api: swarm.api, stack: 'st', service: 'svc', sites: [{ outcome: outcome('web'), pending: undefined }] },
      conf: { name: 'st-nginx-old', version: undefined, mounted: 'st-nginx-old' },
      rollout: { monitorMs: 1_000, timeoutMs: 20_000, intervalMs: 1_000 },
      now: () => new Date(0),
      sleep: () => Promise.resolve(),
      log: createLogger({ write: () => undefined }),
    });
    expect(none).toEqual({ name: 'st-nginx-old', changed: false, removed: [] });
    expect(swarm.updates).toHaveLength(0);
    const failing = fakeSwarm('rollback');
    await expect(sweep(failing.api, [], [])).rejects.toThrow(/the update of st_nginx to st-nginx-new failed/);
  });

  it('rolls a service publishing host-mode ports stop-first, and says what that costs', async () => {
    const swarm = fakeSwarm('converge', {
      EndpointSpec: { Ports: [{ PublishMode: 'host', PublishedPort: 443, TargetPort: 443, Protocol: 'tcp' }] },
    });
    const lines: string[] = [];
    await sweep(swarm.api, [{ outcome: outcome('web'), pending: certificate('web') }], lines);
    expect(swarm.updates.map((update) => update.order)).toEqual(['stop-first']);
    expect(lines.join('')).toMatch(/warn: service st_nginx publishes 443:443\/tcp in host mode.*connections drop/);
    expect(lines.join('')).toMatch(/one update for site web and nginx\.conf \(stop-first, rolled back on failure\)/);
  });

  it('runs a rollout Swarm paused for task churn (a drained node) again, after a pause, saying why', async () => {
    const swarm = fakeSwarm('churn-once');
    const lines: string[] = [];
    const sites = [{ outcome: outcome('web'), pending: certificate('web') }];
    const conf = await sweep(swarm.api, sites, lines);
    expect(swarm.updates).toHaveLength(2);
    expect(conf.changed).toBe(true);
    expect(sites[0]?.outcome.error).toBeUndefined();
    const log = lines.join('');
    expect(log).toMatch(
      /warn: rollout 1 of 3 interrupted by task churn, not by the new version \(task tasknew00001 on node worker-1 ended \(shutdown\): the node is drained\): running it again in 15 s/,
    );
    expect(log).toMatch(/the update Swarm paused sent again/);
  });

  it('does not run it again when the new task turned unhealthy; split up, every change fails alone, naming the task', async () => {
    const swarm = fakeSwarm('unhealthy');
    const lines: string[] = [];
    const sites = ['web', 'app'].map((site) => ({ outcome: outcome(site), pending: certificate(site) }));
    const conf = await sweep(swarm.api, sites, lines);
    // The sweep's update, then nginx.conf alone, then each site alone: no retry of any.
    expect(swarm.updates).toHaveLength(4);
    expect(lines.join('')).not.toMatch(/interrupted by task churn/);
    for (const entry of sites)
      expect(entry.outcome.error?.message).toMatch(
        /failed: Swarm paused the update: .*task tasknew00001 on node manager-1 turned unhealthy \(failed: task: unhealthy container\)\)\. The tasks serve the version before it/,
      );
    expect(conf).toMatchObject({
      changed: false,
      failed: expect.stringMatching(/the update of st_nginx to st-nginx-new failed/) as string,
    });
    expect(swarm.removed).toEqual([]);
  });

  it('when one site’s certificate makes its task unhealthy, rolls the changes out one at a time and fails that site alone', async () => {
    const swarm = fakeSwarm('bad-site');
    const lines: string[] = [];
    const sites = ['web', 'bad', 'app'].map((site) => ({ outcome: outcome(site), pending: certificate(site) }));
    const conf = await sweep(swarm.api, sites, lines);
    expect(lines.join('')).toMatch(
      /warn: the sweep's update failed \(task tasknew00001 on node manager-1 turned unhealthy .*\): rolling its 4 changes out one at a time/,
    );
    // The sweep's update (rolled back), nginx.conf, web, bad (rolled back), app.
    expect(swarm.updates).toHaveLength(5);
    const [web, bad, app] = sites.map((entry) => entry.outcome);
    expect(web?.error).toBeUndefined();
    expect(app?.error).toBeUndefined();
    expect(bad?.error?.message).toMatch(/the update of st_nginx to st-bad-[0-9a-f]{12} failed: Swarm rolled the update back/);
    expect(web?.result?.removed).toEqual(['st-web-000000000000']);
    expect(conf).toEqual({ name: 'st-nginx-new', changed: true, removed: ['st-nginx-old'] });
  });

  // Swarm holds the update on a drained node: its new task meant to run but pending, or (a real run) told to stop
  // and still pending there.
  it.each([
    ['stall-once', 'task taskpending1 is pending on node worker-1 (drain, ready)'],
    [
      'stall-stopped',
      'task taskpending1 (told to stop) is still pending on node worker-1 (drain, ready): 1 node not available for new tasks',
    ],
  ] as const)('gives up waiting on an update Swarm holds on a drained node after 30 s, and sends it again (%s)', async (held, reason) => {
    const swarm = fakeSwarm(held);
    const lines: string[] = [];
    const sites = [{ outcome: outcome('web'), pending: certificate('web') }];
    await sweep(swarm.api, sites, lines);
    expect(swarm.updates).toHaveLength(2);
    expect(sites[0]?.outcome.error).toBeUndefined();
    expect(lines.join('')).toContain(`rollout 1 of 3 interrupted by task churn, not by the new version (${reason})`);
    // Replaced, not sent as it was: Swarm would keep its held update (and its old view of the tasks) running.
    expect(lines.join('')).toMatch(/the update Swarm holds replaced by the same spec with a new certkit.rollout label/);
    expect(swarm.updates[0]?.supersede).toBeUndefined();
    expect(swarm.updates[1]?.supersede).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(swarm.updates[1]?.secrets).toEqual(swarm.updates[0]?.secrets);
  });
});

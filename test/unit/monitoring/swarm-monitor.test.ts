import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Logger } from '../../../src/log.js';
import { CertkitMetrics } from '../../../src/metrics/certkit-metrics.js';
import { summariseSwarm } from '../../../src/monitoring/check-summary.js';
import { createDaemonMonitor } from '../../../src/monitoring/daemon-monitor.js';
import { startMonitorServer } from '../../../src/monitoring/monitor-server.js';
import { withReplicaReadiness } from '../../../src/monitoring/swarm-readiness.js';
import type { StatusEntry } from '../../../src/store/status-entries.js';
import type { ReplicaReport, StackSecret } from '../../../src/swarm/replica-status.js';
import type { SwarmSiteOutcome, SwarmUpdateResult } from '../../../src/swarm/swarm-update.js';
import { NEW_WEB, OLD_WEB, twoReplicaReport } from '../swarm/swarm.fixtures.js';

// The Swarm daemon's monitor: its checks counted per site, the certificate series made ready by the replicas, and
// health that names a stale replica or a failed check instead of saying ok.
const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const NOW = new Date('2026-12-03T00:00:00Z');

const OLD = OLD_WEB;
const NEW = NEW_WEB;
/** Two replicas: the first on the newest version, the second on `second`. */
const report = (second: StackSecret): ReplicaReport => twoReplicaReport(second, { updateState: 'completed' });

const entry = (serial: string): StatusEntry => ({
  name: 'web',
  domains: ['web.test'],
  notBefore: '2026-12-01T00:00:00.000Z',
  notAfter: '2027-03-01T00:00:00.000Z',
  renewalAt: null,
  daysLeft: 88,
  serial,
  issuer: null,
  profile: null,
  keyType: null,
  versions: 2,
  live: 'ok',
  deployed: 'unknown',
  served: null,
  ready: false,
  problems: [],
});

const site = (id: string, outcome: Partial<SwarmSiteOutcome>): SwarmSiteOutcome => ({
  site: id,
  names: [`${id}.test`],
  declaredIn: [],
  ...outcome,
});
const swarmResult = (sites: SwarmSiteOutcome[]): SwarmUpdateResult => ({
  stack: 'st',
  nginxConf: { name: 'st-nginx-abc', changed: false, removed: [] },
  sites,
  refused: [],
});
const done = (serial: string) => ({
  action: 'unchanged' as const,
  reasons: [],
  serial,
  notAfter: undefined,
  secret: undefined,
  serving: 'current' as const,
  removed: [],
});

describe('summariseSwarm', () => {
  it("takes the .env site as the check's own and every other site apart; a missing .env site is a success without serial", () => {
    const result = swarmResult([site('app', { error: { code: 'CA_REFUSED', message: 'refused' } }), site('web', { result: done('bb02') })]);
    expect(summariseSwarm(result, 'web')).toEqual({
      main: { site: 'web', action: 'unchanged', serial: 'bb02', error: undefined, skipped: undefined },
      others: [
        { site: 'app', action: undefined, serial: undefined, error: { code: 'CA_REFUSED', message: 'refused' }, skipped: undefined },
      ],
    });
    expect(summariseSwarm(swarmResult([]), 'web')).toEqual({ main: { site: 'web' }, others: [] });
  });
});

describe('withReplicaReadiness', () => {
  it('is ready only when every replica of its site mounts and runs the newest version holding the store serial', () => {
    const sites = new Map([['web', 'web']]);
    expect(withReplicaReadiness([entry('bb02')], report(NEW), sites)[0]?.ready).toBe(true);
    expect(withReplicaReadiness([entry('bb02')], report(OLD), sites)[0]?.ready).toBe(false);
    // The store renewed, no version holds its serial yet.
    expect(withReplicaReadiness([entry('cc03')], report(NEW), sites)[0]?.ready).toBe(false);
    expect(withReplicaReadiness([entry('bb02')], undefined, sites)[0]?.ready).toBe(false);
    expect(withReplicaReadiness([{ ...entry('bb02'), problems: ['expired'] }], report(NEW), sites)[0]?.ready).toBe(false);
  });

  it("matches a site's rows by its certificate name when the two differ", () => {
    expect(withReplicaReadiness([{ ...entry('bb02'), name: 'web-cert' }], report(NEW), new Map([['web', 'web-cert']]))[0]?.ready).toBe(
      true,
    );
  });
});

describe("the Swarm daemon's monitor", () => {
  const makeMonitor = (replicas: () => ReplicaReport) => {
    const sent: Array<{ text: string; alert: string; event: string }> = [];
    const monitor = createDaemonMonitor<SwarmUpdateResult>({
      metrics: new CertkitMetrics({ version: '0.1.0', nodeVersion: 'v20' }),
      collect: async (read) => withReplicaReadiness([entry('bb02')], read, new Map([['web', 'web']])),
      collectReplicas: async () => replicas(),
      summarise: (result) => summariseSwarm(result, 'web'),
      webhooks: { send: (body) => void sent.push(body as (typeof sent)[number]), idle: async () => {} },
      project: 'st',
      certName: 'web',
      graceMs: 60_000,
      log: silentLogger,
      now: () => NOW,
    });
    return { monitor, sent };
  };

  it("a failed .env site fails the check (metric and alert) although Swarm's update returned; another site's failure is its own", async () => {
    const { monitor, sent } = makeMonitor(() => report(NEW));
    monitor.observer.checkStarted();
    monitor.observer.checkEnded(
      {
        ok: true,
        result: swarmResult([
          site('web', { error: { code: 'ROLLOUT_FAILED', message: 'the rotation was rolled back\nmore' } }),
          site('app', { error: { code: 'CA_REFUSED', message: 'app.test does not resolve' } }),
        ]),
      },
      new Date(NOW.getTime() + 60_000),
    );
    await monitor.settled();
    const text = await monitor.metricsText();
    expect(text).toContain('certkit_last_check_success 0');
    expect(text).toContain('certkit_renewal_failures_total{name="web",reason="ROLLOUT_FAILED"} 1');
    expect(text).toContain('certkit_renewal_failures_total{name="app",reason="CA_REFUSED"} 1');
    expect(text).toContain('certkit_certificate_ready_status{name="web",issuer="",profile="default",condition="True"} 1');
    expect(sent.map((body) => `${body.alert} ${body.event}`)).toEqual(['renewal_failed firing', 'renewal_failed firing']);
    expect(monitor.knownProblems()).toEqual([
      expect.stringMatching(/^the check of app failed \(CA_REFUSED\): app\.test does not resolve/),
      expect.stringMatching(/^the check of web failed \(ROLLOUT_FAILED\): the rotation was rolled back;/),
    ]);
  });

  it('a site waiting out its backoff is neither a success nor a new failure: its alert stays, the other sites are counted', async () => {
    const { monitor, sent } = makeMonitor(() => report(NEW));
    const end = (sites: SwarmSiteOutcome[]) => {
      monitor.observer.checkStarted();
      monitor.observer.checkEnded({ ok: true, result: swarmResult(sites) }, new Date(NOW.getTime() + 60_000));
    };
    end([
      site('web', { error: { code: 'CA_REFUSED', message: 'refused' } }),
      site('app', { error: { code: 'PREFLIGHT_FAILED', message: 'app.test does not resolve' } }),
    ]);
    await monitor.settled();
    end([site('web', { skipped: 'failed 1 time in a row' }), site('app', { skipped: 'failed 1 time in a row' })]);
    await monitor.settled();
    const text = await monitor.metricsText();
    expect(text).toContain('certkit_last_check_success 0');
    expect(text).toContain('certkit_renewal_failures_total{name="web",reason="CA_REFUSED"} 1');
    expect(text).toContain('certkit_renewal_failures_total{name="app",reason="PREFLIGHT_FAILED"} 1');
    expect(sent.map((body) => `${body.alert} ${body.event}`)).toEqual(['renewal_failed firing', 'renewal_failed firing']);
    expect(monitor.knownProblems()).toEqual([
      expect.stringMatching(/^the check of app failed/),
      expect.stringMatching(/^the check of web failed/),
    ]);
  });

  it('a replica on an old version: gauges, alert and problems name it; /healthz says degraded, /problems 503; caught up, ok', async () => {
    let now = report(OLD);
    const { monitor, sent } = makeMonitor(() => now);
    monitor.observer.checkStarted();
    monitor.observer.checkEnded(
      { ok: true, result: swarmResult([site('web', { result: done('bb02') })]) },
      new Date(NOW.getTime() + 60_000),
    );
    await monitor.settled();
    const server = await startMonitorServer(monitor, 0, '127.0.0.1');
    onTestFinished(() => void server.close());
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('certkit_swarm_replica_current{site="web",replica="st_nginx.1",node="manager-1"} 1');
    expect(metrics).toContain('certkit_swarm_replica_current{site="web",replica="st_nginx.2",node="manager-1"} 0');
    expect(metrics).toContain('certkit_certificate_ready_status{name="web",issuer="",profile="default",condition="False"} 1');
    expect(sent.map((body) => [body.alert, body.event])).toEqual([['replica_stale', 'firing']]);
    expect(sent[0]?.text).toMatch(/replica st_nginx\.2 \(task t2, node manager-1\) is still on st-web-v1 \(serial aa01\) for site web/);

    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.text()).toMatch(
      /^degraded: sleeping until .*; 1 problem \(\/problems\): replica st_nginx\.2 .* still on st-web-v1/,
    );
    const problems = await fetch(`${base}/problems`);
    expect(problems.status).toBe(503);
    expect(await problems.text()).toMatch(/^replica st_nginx\.2 .* should have st-web-v2 \(serial bb02\)\n$/);

    now = report(NEW);
    const fixed = await fetch(`${base}/problems`);
    expect([fixed.status, await fixed.text()]).toEqual([200, 'no problems\n']);
    expect(sent.map((body) => [body.alert, body.event])).toEqual([
      ['replica_stale', 'firing'],
      ['replica_stale', 'resolved'],
    ]);
    expect(await (await fetch(`${base}/healthz`)).text()).toMatch(/^ok: sleeping until /);
  });
});

import { describe, expect, it } from 'vitest';
import { replicaChecks } from '../../../src/alerts/alert-checks.js';
import { evaluateAlerts } from '../../../src/alerts/alert-state.js';
import type { Logger } from '../../../src/log.js';
import { CertkitMetrics } from '../../../src/metrics/certkit-metrics.js';
import { createDaemonMonitor } from '../../../src/monitoring/daemon-monitor.js';
import type { ReplicaReport, StackSecret } from '../../../src/swarm/replica-status.js';
import { formatReplicaTable, replicaProblems } from '../../../src/swarm/replica-table.js';
import { NEW_WEB, OLD_WEB, twoReplicaReport } from './swarm.fixtures.js';

// The replica report's three views: `certkit status`'s table, the /metrics gauges, and the replica_stale alerts.
const OLD = OLD_WEB;
const NEW = NEW_WEB;
const report = (second: StackSecret): ReplicaReport =>
  twoReplicaReport(second, { updateState: 'updating', served: new Map([['t1', new Map([['web', { serial: 'bb02' }]])]]) });
const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

describe('the replica report in status, metrics and alerts', () => {
  it('status: a SITE/REPLICA row each, the replica on the old version marked and named under problems', () => {
    const text = formatReplicaTable(report(OLD));
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^SITE\s+REPLICA\s+NODE\s+STATE\s+VERSION\s+SERIAL\s+SHOULD HAVE\s+SERVED\s+OK$/);
    expect(lines[1]).toMatch(/^web\s+st_nginx\.1\s+manager-1\s+running\s+st-web-v2\s+bb02\s+st-web-v2\s+bb02\s+yes$/);
    expect(lines[2]).toMatch(/^web\s+st_nginx\.2\s+manager-1\s+running\s+st-web-v1\s+aa01\s+st-web-v2\s+-\s+NO$/);
    expect(text).toContain('problems:\n  replica st_nginx.2 (task t2, node manager-1) is still on st-web-v1 (serial aa01)');
    expect(replicaProblems(report(OLD))).toHaveLength(1);
    expect(replicaProblems(report(NEW))).toEqual([]);
  });

  it('metrics: which version and serial each replica mounts, whether it is current, and the handshake where read', async () => {
    const metrics = new CertkitMetrics({ version: '0.1.0', nodeVersion: 'v20' });
    metrics.setReplicas(report(OLD));
    const text = await metrics.text();
    expect(text).toContain('certkit_swarm_replica_current{site="web",replica="st_nginx.1",node="manager-1"} 1');
    expect(text).toContain('certkit_swarm_replica_current{site="web",replica="st_nginx.2",node="manager-1"} 0');
    expect(text).toContain(
      'certkit_swarm_replica_secret_info{site="web",replica="st_nginx.2",node="manager-1",version="st-web-v1",serial="aa01"} 1',
    );
    expect(text).toContain('certkit_swarm_replica_served_serial_match{site="web",replica="st_nginx.1",node="manager-1"} 1');
    expect(text).not.toContain('certkit_swarm_replica_served_serial_match{site="web",replica="st_nginx.2"');
    metrics.setReplicas(undefined);
    expect(await metrics.text()).not.toContain('certkit_swarm_replica_current{');
  });

  it('alerts: the stale replica fires once, naming it; its catching up resolves it', () => {
    const first = evaluateAlerts({}, replicaChecks(report(OLD)), new Date('2026-12-03T00:00:00Z'));
    expect(first.messages.map((message) => [message.event, message.certificate])).toEqual([['firing', 'web/st_nginx.2']]);
    expect(first.messages[0]?.summary).toMatch(/st_nginx\.2 .* still on st-web-v1 .* should have st-web-v2/);
    expect(first.messages[0]?.details).toMatchObject({ task: 't2', node: 'manager-1', has: 'st-web-v1', should: 'st-web-v2' });
    const after = evaluateAlerts(first.state, replicaChecks(report(NEW)), new Date('2026-12-03T00:01:00Z'));
    expect(after.messages.map((message) => [message.event, message.certificate])).toEqual([['resolved', 'web/st_nginx.2']]);
  });

  it("the daemon's monitor feeds both from its replica collection, and a failed read leaves the alerts as they were", async () => {
    const sent: Array<{ text: string }> = [];
    let next: () => Promise<ReplicaReport> = async () => report(OLD);
    const metrics = new CertkitMetrics({ version: '0.1.0', nodeVersion: 'v20' });
    const monitor = createDaemonMonitor({
      metrics,
      collect: async () => [],
      collectReplicas: () => next(),
      webhooks: { send: (body) => void sent.push(body as { text: string }), idle: async () => {} },
      project: 'st',
      certName: 'web',
      graceMs: 60_000,
      log: silentLogger,
      now: () => new Date('2026-12-03T00:00:00Z'),
    });
    monitor.reevaluate();
    await monitor.settled();
    expect(sent.map((body) => body.text)).toEqual([
      expect.stringMatching(/^\[certkit st\] PROBLEM: an nginx replica is not on the newest certificate: replica st_nginx\.2/),
    ]);
    expect(await monitor.metricsText()).toContain('certkit_swarm_replica_current{site="web",replica="st_nginx.2",node="manager-1"} 0');
    next = () => Promise.reject(new Error('manager gone'));
    monitor.reevaluate();
    await monitor.settled();
    expect(sent).toHaveLength(1);
  });
});

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createWebhookSender, redactUrl } from '../alerts/webhook-sender.js';
import type { MonitoringConfig } from '../config/monitoring-config.js';
import { collectStatus } from '../store-io/collect-status.js';
import { containerStoreSource } from '../store-io/store-source.js';
import type { DaemonObserver } from '../update/daemon.js';
import type { Engine, ServiceContainer } from '../docker/engine.js';
import type { Logger } from '../log.js';
import type { ReplicaSite } from '../swarm/read-replica-status.js';
import { packageRoot } from '../package-root.js';
import { CertkitMetrics } from '../metrics/certkit-metrics.js';
import { timeCertbotRuns } from '../metrics/timed-engine.js';
import { createDaemonMonitor } from './daemon-monitor.js';
import { startMonitorServer } from './monitor-server.js';

const REEVALUATE_MS = 5 * 60_000;

/**
 * The daemon's monitoring: /metrics and /healthz on CERTKIT_METRICS_PORT, alerts to CERTKIT_ALERT_WEBHOOK. Returns the
 * engine to use (certbot runs timed), the loop's observer, and how to stop.
 */
export async function startMonitoring(input: {
  /** Read and checked by loadConfig with every other setting. */
  config: MonitoringConfig;
  engine: Engine;
  project: string;
  self: ServiceContainer | undefined;
  certName: string;
  /** The Compose service of the nginx certkit drives (CERTKIT_NGINX_SERVICE). */
  nginxService?: string | undefined;
  /** On Swarm (CERTKIT_SWARM_STACK): the stack whose nginx replicas /metrics and the alerts report. */
  swarm?: { stack: string; env: NodeJS.ProcessEnv; sites: () => readonly ReplicaSite[] } | undefined;
  log: Logger;
  now: () => Date;
}): Promise<{ engine: Engine; observer: DaemonObserver; close: () => Promise<void> }> {
  const config = input.config;
  const metrics = new CertkitMetrics({ version: await packageVersion(), nodeVersion: process.version });
  const engine = timeCertbotRuns(input.engine, (command, ok, seconds) => metrics.recordCertbotRun(command, ok, seconds));
  const webhooks = config.alertWebhooks.length > 0 ? createWebhookSender({ urls: config.alertWebhooks, log: input.log }) : undefined;
  const swarm = input.swarm && {
    ...input.swarm,
    api: (await import('../swarm/swarm-api.js')).createSwarmApi(input.swarm.env),
  };
  const monitor = createDaemonMonitor({
    metrics,
    collect: async () =>
      collectStatus({
        source: await containerStoreSource(engine, input.project),
        now: input.now(),
        nginx: { engine, project: input.project, self: input.self, service: input.nginxService },
      }),
    collectReplicas: swarm
      ? async () => {
          const { readReplicaStatus } = await import('../swarm/read-replica-status.js');
          return readReplicaStatus({ api: swarm.api, engine, stack: swarm.stack, sites: swarm.sites() });
        }
      : undefined,
    webhooks,
    project: input.project,
    certName: input.certName,
    graceMs: config.healthGraceMs,
    log: input.log,
    now: input.now,
  });
  // Inside the stack the compose network must reach it; a daemon run on the host keeps it on loopback.
  // A certificate can near its expiry while the loop sleeps through a long backoff: look between checks too.
  const timer = setInterval(() => monitor.reevaluate(), REEVALUATE_MS);
  timer.unref();
  const server = await startMonitorServer(monitor, config.metricsPort, input.self ? '0.0.0.0' : '127.0.0.1');
  input.log.info(
    `metrics on :${config.metricsPort}/metrics, health on /healthz; alerts ${webhooks ? `to ${config.alertWebhooks.map(redactUrl).join(', ')}` : 'off (CERTKIT_ALERT_WEBHOOK is empty)'}`,
  );
  return {
    engine,
    observer: monitor.observer,
    close: async () => {
      clearInterval(timer);
      await new Promise((done) => server.close(done));
      await monitor.settled();
    },
  };
}

async function packageVersion(): Promise<string> {
  const text = await readFile(join(packageRoot(), 'package.json'), 'utf8').catch(() => '{}');
  return (JSON.parse(text) as { version?: string }).version ?? 'unknown';
}

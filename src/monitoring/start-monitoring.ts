import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createWebhookSender, redactUrl } from '../alerts/webhook-sender.js';
import type { MonitoringConfig } from '../config/monitoring-config.js';
import { collectStatus } from '../store-io/collect-status.js';
import { containerStoreSource } from '../store-io/store-source.js';
import type { DaemonObserver } from '../update/daemon.js';
import type { Engine, ServiceContainer } from '../docker/engine.js';
import type { Logger } from '../log.js';
import type { StatusEntry } from '../store/status-entries.js';
import type { ReplicaReport } from '../swarm/replica-status.js';
import type { UpdateResult } from '../update/update-context.js';
import { packageRoot } from '../package-root.js';
import { CertkitMetrics } from '../metrics/certkit-metrics.js';
import { timeCertbotRuns } from '../metrics/timed-engine.js';
import type { CheckSummary } from './check-summary.js';
import { createDaemonMonitor } from './daemon-monitor.js';
import { startMonitorServer } from './monitor-server.js';

const REEVALUATE_MS = 5 * 60_000;

/** What the monitor reads at each evaluation and scrape, through the engine that times certbot's runs. */
export interface MonitorSources {
  collect: (replicas?: ReplicaReport) => Promise<StatusEntry[]>;
  collectReplicas?: (() => Promise<ReplicaReport>) | undefined;
}

/**
 * The daemon's monitoring: /metrics, /healthz and /problems on CERTKIT_METRICS_PORT, alerts to CERTKIT_ALERT_WEBHOOK.
 * Returns the engine to use (certbot runs timed), the loop's observer, and how to stop.
 */
export async function startMonitoring<R = UpdateResult>(input: {
  /** Read and checked by loadConfig with every other setting. */
  config: MonitoringConfig;
  engine: Engine;
  /** The Compose project or Swarm stack, named in every alert. */
  project: string;
  /** In certkit's container the stack's network must reach the server; a daemon run on the host keeps it on loopback. */
  inContainer: boolean;
  certName: string;
  sources: (engine: Engine) => MonitorSources;
  summarise?: ((result: R) => CheckSummary) | undefined;
  log: Logger;
  now: () => Date;
}): Promise<{ engine: Engine; observer: DaemonObserver<R>; close: () => Promise<void> }> {
  const config = input.config;
  const metrics = new CertkitMetrics({ version: await packageVersion(), nodeVersion: process.version });
  const engine = timeCertbotRuns(input.engine, (command, ok, seconds) => metrics.recordCertbotRun(command, ok, seconds));
  const webhooks = config.alertWebhooks.length > 0 ? createWebhookSender({ urls: config.alertWebhooks, log: input.log }) : undefined;
  const monitor = createDaemonMonitor<R>({
    metrics,
    ...input.sources(engine),
    summarise: input.summarise,
    webhooks,
    project: input.project,
    certName: input.certName,
    graceMs: config.healthGraceMs,
    log: input.log,
    now: input.now,
  });
  // A certificate can near its expiry while the loop sleeps through a long backoff: look between checks too.
  const timer = setInterval(() => monitor.reevaluate(), REEVALUATE_MS);
  timer.unref();
  const server = await startMonitorServer(monitor, config.metricsPort, input.inContainer ? '0.0.0.0' : '127.0.0.1');
  input.log.info(
    `metrics on :${config.metricsPort}/metrics, health on /healthz, problems on /problems; alerts ${webhooks ? `to ${config.alertWebhooks.map(redactUrl).join(', ')}` : 'off (CERTKIT_ALERT_WEBHOOK is empty)'}`,
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

/** On Compose: `certkit status`'s entries, nginx probed through the Compose service CERTKIT_NGINX_SERVICE. */
export function composeSources(input: {
  project: string;
  self: ServiceContainer | undefined;
  nginxService: string | undefined;
  now: () => Date;
}): (engine: Engine) => MonitorSources {
  return (engine) => ({
    collect: async () =>
      collectStatus({
        source: await containerStoreSource(engine, input.project),
        now: input.now(),
        nginx: { engine, project: input.project, self: input.self, service: input.nginxService },
      }),
  });
}

async function packageVersion(): Promise<string> {
  const text = await readFile(join(packageRoot(), 'package.json'), 'utf8').catch(() => '{}');
  return (JSON.parse(text) as { version?: string }).version ?? 'unknown';
}

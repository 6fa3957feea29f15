import { certificateChecks, renewalCheck, replicaChecks } from '../alerts/alert-checks.js';
import { alertPayload } from '../alerts/alert-payload.js';
import { evaluateAlerts, type AlertCheck, type AlertState } from '../alerts/alert-state.js';
import type { WebhookSender } from '../alerts/webhook-sender.js';
import type { DaemonObserver } from '../update/daemon.js';
import type { UpdateResult } from '../update/update-context.js';
import { isCertkitError } from '../errors.js';
import { judgeLiveness, type Liveness, type LoopState } from '../health/liveness.js';
import type { Logger } from '../log.js';
import type { CertkitMetrics } from '../metrics/certkit-metrics.js';
import type { StatusEntry } from '../store/status-entries.js';
import type { ReplicaReport } from '../swarm/replica-status.js';
import { summariseUpdate, type CheckSummary } from './check-summary.js';

export interface DaemonMonitor<R = UpdateResult> {
  observer: DaemonObserver<R>;
  /** The Prometheus text, with certificate series from a fresh `certkit status` collection. */
  metricsText(): Promise<string>;
  liveness(): Liveness;
  /** The problems firing at the last evaluation (each alert's summary): what /healthz names beside the loop's state. */
  knownProblems(): string[];
  /** Reads the status afresh, evaluates the alerts (sending what changed), and returns the problems firing then. */
  problems(): Promise<string[]>;
  /** Re-reads the status and evaluates the expiry and serving alerts between checks (a long backoff, say). */
  reevaluate(): void;
  /** Resolves when the alerts of the last check have been evaluated (tests, shutdown). */
  settled(): Promise<void>;
}

const ISSUING = new Set(['issued', 'reissued', 'renewed']);

/**
 * Ties the renewal loop to metrics, health and alerts. After each check the certificate status is collected in the
 * background and alerts are evaluated; the loop itself never waits for that, nor for any webhook.
 */
export function createDaemonMonitor<R = UpdateResult>(input: {
  metrics: CertkitMetrics;
  /**
   * `certkit status`'s entries for the stack (the one source of /metrics and `status --json`); on Swarm given the
   * replica report read just before (undefined when it could not be read), which says whether each is served.
   */
  collect: (replicas?: ReplicaReport) => Promise<StatusEntry[]>;
  /** On Swarm: which secret version each nginx replica mounts and serves (its gauges and the replica_stale alerts). */
  collectReplicas?: (() => Promise<ReplicaReport>) | undefined;
  /** A check's result as the monitor counts it (default: Compose's UpdateResult). */
  summarise?: ((result: R) => CheckSummary) | undefined;
  webhooks: WebhookSender | undefined;
  project: string;
  certName: string;
  graceMs: number;
  log: Logger;
  now: () => Date;
}): DaemonMonitor<R> {
  const summarise = input.summarise ?? (summariseUpdate as unknown as (result: R) => CheckSummary);
  let loop: LoopState = { phase: 'starting', since: input.now() };
  let alerts: AlertState = {};
  let certName = input.certName;
  let pending: Promise<void> = Promise.resolve();
  let collecting: Promise<StatusEntry[]> | undefined;

  // Concurrent scrapes and the post-check evaluation share one collection.
  const collect = (replicas: ReplicaReport | undefined): Promise<StatusEntry[]> => {
    collecting ??= input.collect(replicas).finally(() => (collecting = undefined));
    return collecting;
  };
  // The replicas first: on Swarm they say whether each certificate is served.
  const readReplicas = async (quiet: boolean): Promise<ReplicaReport | undefined> => {
    if (!input.collectReplicas) return undefined;
    try {
      const report = await input.collectReplicas();
      input.metrics.setReplicas(report);
      return report;
    } catch (error) {
      const why = (error as Error).message;
      if (quiet) input.log.debug(`monitoring: the Swarm replicas for /metrics failed (${why}); serving the last values`);
      else input.log.warn(`monitoring: could not read the Swarm replicas (${why}); their alerts wait for the next check`);
      return undefined;
    }
  };

  const evaluate = async (renewals: readonly AlertCheck[]): Promise<void> => {
    const checks = [...renewals];
    const report = await readReplicas(false);
    if (report) checks.push(...replicaChecks(report));
    try {
      const entries = await collect(report);
      input.metrics.setCertificates(entries);
      checks.push(...certificateChecks(entries, input.now()));
    } catch (error) {
      input.log.warn(
        `monitoring: could not read the certificate status (${(error as Error).message}); expiry and serving alerts wait for the next check`,
      );
    }
    const { state, messages } = evaluateAlerts(alerts, checks, input.now());
    alerts = state;
    for (const message of messages) {
      const payload = alertPayload(message, input.project);
      input.log.info(`alert: ${payload.text}`);
      input.webhooks?.send(payload);
    }
  };

  return {
    observer: {
      checkStarted() {
        loop = { phase: 'checking', since: input.now() };
      },
      checkEnded(outcome, next) {
        const at = input.now();
        loop = { phase: 'sleeping', since: at, until: next };
        const summary = outcome.ok ? summarise(outcome.result) : undefined;
        if (summary) certName = summary.main.site;
        // The check fails when it threw, or when the .env site failed (reported in the result by both daemons, so that
        // it backs off alone like every other site).
        const failure = !outcome.ok
          ? { code: isCertkitError(outcome.error) ? outcome.error.code : 'UNEXPECTED', cause: firstLine(outcome.error) }
          : summary?.main.error && { code: summary.main.error.code ?? 'UNEXPECTED', cause: firstLine(summary.main.error) };
        // The .env site backs off alone too: while it waits, its last failure (and alert) stand.
        const waited = !failure && summary?.main.skipped !== undefined;
        input.metrics.recordCheck({
          at,
          ok: !failure,
          next,
          certificate: certName,
          attempted: failure ? true : !waited && ISSUING.has(summary?.main.action ?? ''),
          ...(failure ? { reason: failure.code } : {}),
          ...(waited ? { waited } : {}),
        });
        const renewal = waited
          ? []
          : [
              renewalCheck(
                failure
                  ? { ok: false, certificate: certName, code: failure.code, cause: failure.cause, nextRetry: next }
                  : { ok: true, certificate: certName, serial: summary?.main.serial },
              ),
            ];
        // Each other site alerts and counts on its own: its failure names it, and the others' successes do not hide it.
        const sites = (summary?.others ?? []).filter((site) => !site.skipped);
        for (const site of sites) {
          const failed = site.error;
          input.metrics.recordSite({
            certificate: site.site,
            ok: !failed,
            attempted: failed ? true : ISSUING.has(site.action ?? ''),
            ...(failed ? { reason: failed.code ?? 'UNEXPECTED' } : {}),
          });
        }
        const siteRenewals = sites.map((site) =>
          renewalCheck(
            site.error
              ? { ok: false, certificate: site.site, code: site.error.code ?? 'UNEXPECTED', cause: firstLine(site.error), nextRetry: next }
              : { ok: true, certificate: site.site, serial: site.serial },
          ),
        );
        pending = pending
          .then(() => evaluate([...renewal, ...siteRenewals]))
          .catch((error: unknown) => input.log.warn(`monitoring: ${(error as Error).message}`));
      },
    },
    async metricsText() {
      const report = await readReplicas(true);
      try {
        input.metrics.setCertificates(await collect(report));
      } catch (error) {
        input.log.debug(`monitoring: status for /metrics failed (${(error as Error).message}); serving the last values`);
      }
      return input.metrics.text();
    },
    liveness: () => judgeLiveness(loop, input.now(), input.graceMs),
    knownProblems: () => firingSummaries(alerts),
    async problems() {
      pending = pending.then(() => evaluate([])).catch((error: unknown) => input.log.warn(`monitoring: ${(error as Error).message}`));
      await pending;
      return firingSummaries(alerts);
    },
    reevaluate() {
      pending = pending.then(() => evaluate([])).catch((error: unknown) => input.log.warn(`monitoring: ${(error as Error).message}`));
    },
    settled: () => pending,
  };
}

function firstLine(error: unknown): string {
  return ((error as Error).message ?? String(error)).split('\n')[0] ?? '';
}

/** The alerts firing now, as their summaries (oldest first, then by name: a stable order for people and tests). */
function firingSummaries(state: AlertState): string[] {
  return Object.entries(state)
    .sort(([a, x], [b, y]) => x.since.localeCompare(y.since) || a.localeCompare(b))
    .map(([, alert]) => alert.summary);
}

import { certificateChecks, renewalCheck, replicaChecks } from '../alerts/alert-checks.js';
import { alertPayload } from '../alerts/alert-payload.js';
import { evaluateAlerts, type AlertCheck, type AlertState } from '../alerts/alert-state.js';
import type { WebhookSender } from '../alerts/webhook-sender.js';
import type { DaemonObserver } from '../update/daemon.js';
import { isCertkitError } from '../errors.js';
import { judgeLiveness, type Liveness, type LoopState } from '../health/liveness.js';
import type { Logger } from '../log.js';
import type { CertkitMetrics } from '../metrics/certkit-metrics.js';
import type { StatusEntry } from '../store/status-entries.js';
import type { ReplicaReport } from '../swarm/replica-status.js';

export interface DaemonMonitor {
  observer: DaemonObserver;
  /** The Prometheus text, with certificate series from a fresh `certkit status` collection. */
  metricsText(): Promise<string>;
  liveness(): Liveness;
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
export function createDaemonMonitor(input: {
  metrics: CertkitMetrics;
  /** `certkit status`'s entries for the stack (the one source of /metrics and `status --json`). */
  collect: () => Promise<StatusEntry[]>;
  /** On Swarm: which secret version each nginx replica mounts and serves (its gauges and the replica_stale alerts). */
  collectReplicas?: (() => Promise<ReplicaReport>) | undefined;
  webhooks: WebhookSender | undefined;
  project: string;
  certName: string;
  graceMs: number;
  log: Logger;
  now: () => Date;
}): DaemonMonitor {
  let loop: LoopState = { phase: 'starting', since: input.now() };
  let alerts: AlertState = {};
  let certName = input.certName;
  let pending: Promise<void> = Promise.resolve();
  let collecting: Promise<StatusEntry[]> | undefined;

  // Concurrent scrapes and the post-check evaluation share one collection.
  const collect = (): Promise<StatusEntry[]> => {
    collecting ??= input.collect().finally(() => (collecting = undefined));
    return collecting;
  };

  const evaluate = async (renewals: readonly AlertCheck[]): Promise<void> => {
    const checks = [...renewals];
    try {
      const entries = await collect();
      input.metrics.setCertificates(entries);
      checks.push(...certificateChecks(entries, input.now()));
    } catch (error) {
      input.log.warn(
        `monitoring: could not read the certificate status (${(error as Error).message}); expiry and serving alerts wait for the next check`,
      );
    }
    if (input.collectReplicas) {
      try {
        const report = await input.collectReplicas();
        input.metrics.setReplicas(report);
        checks.push(...replicaChecks(report));
      } catch (error) {
        input.log.warn(`monitoring: could not read the Swarm replicas (${(error as Error).message}); their alerts wait for the next check`);
      }
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
        if (outcome.ok) certName = outcome.result.certName;
        const reason = outcome.ok ? undefined : isCertkitError(outcome.error) ? outcome.error.code : 'UNEXPECTED';
        input.metrics.recordCheck({
          at,
          ok: outcome.ok,
          next,
          certificate: certName,
          attempted: outcome.ok ? ISSUING.has(outcome.result.action) : true,
          ...(reason ? { reason } : {}),
        });
        const renewal = renewalCheck(
          outcome.ok
            ? { ok: true, certificate: certName, serial: outcome.result.serial }
            : { ok: false, certificate: certName, code: reason as string, cause: firstLine(outcome.error), nextRetry: next },
        );
        // Each other site alerts and counts on its own: its failure names it, and the others' successes do not hide it.
        const sites = outcome.ok ? (outcome.result.others ?? []).filter((site) => !site.skipped) : [];
        for (const site of sites) {
          const failed = site.error;
          input.metrics.recordSite({
            certificate: site.site,
            ok: !failed,
            attempted: failed ? true : ISSUING.has(site.result?.action ?? ''),
            ...(failed ? { reason: failed.code ?? 'UNEXPECTED' } : {}),
          });
        }
        const siteRenewals = sites.map((site) =>
          renewalCheck(
            site.error
              ? {
                  ok: false,
                  certificate: site.site,
                  code: site.error.code ?? 'UNEXPECTED',
                  cause: site.error.message.split('\n')[0] ?? '',
                  nextRetry: next,
                }
              : { ok: true, certificate: site.site, serial: site.result?.serial },
          ),
        );
        pending = pending
          .then(() => evaluate([renewal, ...siteRenewals]))
          .catch((error: unknown) => input.log.warn(`monitoring: ${(error as Error).message}`));
      },
    },
    async metricsText() {
      try {
        input.metrics.setCertificates(await collect());
      } catch (error) {
        input.log.debug(`monitoring: status for /metrics failed (${(error as Error).message}); serving the last values`);
      }
      if (input.collectReplicas) {
        try {
          input.metrics.setReplicas(await input.collectReplicas());
        } catch (error) {
          input.log.debug(`monitoring: the Swarm replicas for /metrics failed (${(error as Error).message}); serving the last values`);
        }
      }
      return input.metrics.text();
    },
    liveness: () => judgeLiveness(loop, input.now(), input.graceMs),
    reevaluate() {
      pending = pending.then(() => evaluate([])).catch((error: unknown) => input.log.warn(`monitoring: ${(error as Error).message}`));
    },
    settled: () => pending,
  };
}

function firstLine(error: unknown): string {
  return ((error as Error).message ?? String(error)).split('\n')[0] ?? '';
}

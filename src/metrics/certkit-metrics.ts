import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { StatusEntry } from '../store/status-entries.js';
import type { ReplicaReport } from '../swarm/replica-status.js';
import { certificateSamples } from './certificate-samples.js';
import { replicaSamples } from './replica-samples.js';

export interface CheckRecord {
  at: Date;
  ok: boolean;
  next: Date;
  certificate: string;
  /** Whether this check issued or renewed (or tried to): counts as a renewal attempt. */
  attempted: boolean;
  /** The error code of a failed check, the failure reason label. */
  reason?: string;
  /**
   * The check's own site waited out its backoff (Swarm, where the .env site runs alone): no new attempt nor failure,
   * and the last check's success stays what its last try made it.
   */
  waited?: boolean;
}

/**
 * certkit's Prometheus metrics, named after cert-manager's where they mean the same. One registry per daemon (never
 * prom-client's global one). Certificate gauges are replaced from `certkit status` entries at each scrape, so
 * /metrics and `certkit status --json` are two views of the same data.
 */
export class CertkitMetrics {
  readonly registry = new Registry();
  private readonly labels = ['name', 'issuer', 'profile'] as const;
  private readonly notBefore = this.gauge(
    'certkit_certificate_not_before_timestamp_seconds',
    "The certificate's notBefore time (Unix seconds).",
    this.labels,
  );
  private readonly expiration = this.gauge(
    'certkit_certificate_expiration_timestamp_seconds',
    "The certificate's notAfter time: when it expires (Unix seconds).",
    this.labels,
  );
  private readonly renewal = this.gauge(
    'certkit_certificate_renewal_timestamp_seconds',
    'When certkit plans to renew the certificate (Unix seconds).',
    this.labels,
  );
  private readonly ready = this.gauge(
    'certkit_certificate_ready_status',
    'Whether the certificate is valid, deployed and served by nginx: 1 on the condition that holds (True or False).',
    [...this.labels, 'condition'],
  );
  private readonly servedMatch = this.gauge(
    'certkit_certificate_served_serial_match',
    'Whether nginx serves the serial in the store (1) or another one (0); absent when nginx was not probed.',
    this.labels,
  );
  private readonly replicaLabels = ['site', 'replica', 'node'] as const;
  private readonly replicaCurrent = this.gauge(
    'certkit_swarm_replica_current',
    "On Swarm: whether the nginx replica mounts its site's newest secret version, runs, and presents its serial (1) or not (0).",
    this.replicaLabels,
  );
  private readonly replicaSecret = this.gauge(
    'certkit_swarm_replica_secret_info',
    'On Swarm: the secret version (and its serial) each nginx replica mounts for a site ("none" without one); always 1.',
    [...this.replicaLabels, 'version', 'serial'],
  );
  private readonly replicaServedMatch = this.gauge(
    'certkit_swarm_replica_served_serial_match',
    "On Swarm: whether the replica's handshake presents the serial of its site's newest version (1) or not (0); absent when not asked.",
    this.replicaLabels,
  );
  private readonly attempts = new Counter({
    name: 'certkit_renewal_attempts_total',
    help: 'Checks that issued or renewed, or failed trying.',
    labelNames: ['name'],
    registers: [this.registry],
  });
  private readonly failures = new Counter({
    name: 'certkit_renewal_failures_total',
    help: "Failed checks, by reason (certkit's error code, e.g. CA_REFUSED).",
    labelNames: ['name', 'reason'],
    registers: [this.registry],
  });
  private readonly certbotRuns = new Histogram({
    name: 'certkit_certbot_run_duration_seconds',
    help: 'How long each certbot run took (certonly, renew), by result.',
    labelNames: ['command', 'result'],
    buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300, 600],
    registers: [this.registry],
  });
  private readonly lastCheck = this.gauge('certkit_last_check_timestamp_seconds', 'When the last check ended (Unix seconds).', []);
  private readonly lastCheckSuccess = this.gauge('certkit_last_check_success', 'Whether the last check succeeded (1) or failed (0).', []);
  private readonly nextCheck = this.gauge('certkit_next_check_timestamp_seconds', 'When the next check is planned (Unix seconds).', []);

  constructor(build: { version: string; nodeVersion: string }) {
    this.gauge('certkit_build_info', "certkit's version and the Node.js running it; always 1.", ['version', 'node_version']).set(
      { version: build.version, node_version: build.nodeVersion },
      1,
    );
  }

  /** Replaces every certificate series with these entries (a certificate gone from the store disappears). */
  setCertificates(entries: readonly StatusEntry[]): void {
    for (const gauge of [this.notBefore, this.expiration, this.renewal, this.ready, this.servedMatch]) gauge.reset();
    for (const sample of certificateSamples(entries)) {
      const labels = sample.labels;
      if (sample.notBefore !== null) this.notBefore.set(labels, sample.notBefore);
      if (sample.expiration !== null) this.expiration.set(labels, sample.expiration);
      if (sample.renewal !== null) this.renewal.set(labels, sample.renewal);
      this.ready.set({ ...labels, condition: 'True' }, sample.ready ? 1 : 0);
      this.ready.set({ ...labels, condition: 'False' }, sample.ready ? 0 : 1);
      if (sample.servedMatch !== null) this.servedMatch.set(labels, sample.servedMatch ? 1 : 0);
    }
  }

  /** Replaces every Swarm replica series with this report's rows (undefined: not on Swarm, or not read: none). */
  setReplicas(report: ReplicaReport | undefined): void {
    for (const gauge of [this.replicaCurrent, this.replicaSecret, this.replicaServedMatch]) gauge.reset();
    for (const sample of report ? replicaSamples(report) : []) {
      this.replicaCurrent.set(sample.labels, sample.current ? 1 : 0);
      this.replicaSecret.set({ ...sample.labels, version: sample.version, serial: sample.serial }, 1);
      if (sample.servedMatch !== null) this.replicaServedMatch.set(sample.labels, sample.servedMatch ? 1 : 0);
    }
  }

  recordCheck(check: CheckRecord): void {
    // Zero-valued series exist from the first check, so rate() and increase() see the first failure.
    this.attempts.inc({ name: check.certificate }, check.attempted ? 1 : 0);
    if (!check.ok && !check.waited) this.failures.inc({ name: check.certificate, reason: check.reason ?? 'UNKNOWN' });
    this.lastCheck.set(check.at.getTime() / 1000);
    if (!check.waited) this.lastCheckSuccess.set(check.ok ? 1 : 0);
    this.nextCheck.set(check.next.getTime() / 1000);
  }

  /** Another site's part of a check (labels, the sites file): its attempts and failures, labelled by its name. */
  recordSite(site: { certificate: string; ok: boolean; attempted: boolean; reason?: string }): void {
    this.attempts.inc({ name: site.certificate }, site.attempted ? 1 : 0);
    if (!site.ok) this.failures.inc({ name: site.certificate, reason: site.reason ?? 'UNKNOWN' });
  }

  recordCertbotRun(command: string, ok: boolean, seconds: number): void {
    this.certbotRuns.observe({ command, result: ok ? 'success' : 'failure' }, seconds);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  private gauge<T extends string>(name: string, help: string, labelNames: readonly T[]): Gauge<T> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }
}

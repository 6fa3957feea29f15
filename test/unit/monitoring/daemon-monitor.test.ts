import { describe, expect, it } from 'vitest';
import type { UpdateResult } from '../../../src/update/update.js';
import { CertkitError } from '../../../src/errors.js';
import type { Logger } from '../../../src/log.js';
import { CertkitMetrics } from '../../../src/metrics/certkit-metrics.js';
import { createDaemonMonitor } from '../../../src/monitoring/daemon-monitor.js';
import type { StatusEntry } from '../../../src/store/status-entries.js';

const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const T0 = Date.parse('2026-11-23T00:00:00Z');

function result(serial: string): UpdateResult {
  return {
    certName: 'a.test',
    domains: ['a.test'],
    action: 'renewed',
    reasons: [],
    serial,
    notAfter: new Date(T0 + 86_400_000),
    served: [],
    reloaded: true,
    rendered: [],
    profile: undefined,
  };
}

function entry(serial: string): StatusEntry {
  return {
    name: 'a.test',
    domains: ['a.test'],
    notBefore: new Date(T0 - 3_600_000).toISOString(),
    notAfter: new Date(T0 + 86_400_000).toISOString(),
    renewalAt: null,
    daysLeft: 1,
    serial,
    issuer: null,
    profile: null,
    keyType: null,
    versions: 1,
    live: 'ok',
    deployed: 'ok',
    served: serial,
    ready: true,
    problems: [],
  };
}

interface Sent {
  text: string;
  event: string;
  alert: string;
}

/** A monitor over a fixed status, a recording webhook sender and a clock the test moves. */
function makeMonitor(clock: { now: number }, graceMs = 60_000) {
  const sent: Sent[] = [];
  const monitor = createDaemonMonitor({
    metrics: new CertkitMetrics({ version: '0.1.0', nodeVersion: 'v20' }),
    collect: async () => [entry('aa')],
    webhooks: { send: (body) => void sent.push(body as Sent), idle: async () => {} },
    project: 'web',
    certName: 'a.test',
    graceMs,
    log: silentLogger,
    now: () => new Date(clock.now),
  });
  return { monitor, sent };
}

describe('createDaemonMonitor', () => {
  it('sends one failure and one recovery across repeated failed checks, and /metrics and status agree', async () => {
    const clock = { now: T0 };
    const { monitor, sent } = makeMonitor(clock);
    const failure = { ok: false as const, error: new CertkitError('CA_REFUSED', 'The CA refused.\n  detail') };
    for (const outcome of [
      { ok: true as const, result: result('aa') },
      failure,
      failure,
      failure,
      { ok: true as const, result: result('bb') },
    ]) {
      monitor.observer.checkStarted();
      clock.now += 5_000;
      monitor.observer.checkEnded(outcome, new Date(clock.now + 60_000));
      await monitor.settled();
      clock.now += 60_000;
    }
    expect(sent.map((body) => body.event)).toEqual(['firing', 'resolved']);
    expect(sent[0]?.text).toContain('renewal failed: the check of a.test failed (CA_REFUSED): The CA refused.; next retry at');
    const text = await monitor.metricsText();
    expect(text).toContain('certkit_renewal_failures_total{name="a.test",reason="CA_REFUSED"} 3');
    expect(text).toContain(
      `certkit_certificate_expiration_timestamp_seconds{name="a.test",issuer="",profile="default"} ${(T0 + 86_400_000) / 1000}`,
    );
  });

  it('alerts and counts each other site on its own: its failure names it while the .env site succeeds', async () => {
    const clock = { now: T0 };
    const { monitor, sent } = makeMonitor(clock);
    const withSites = (wikiFails: boolean) => ({
      ...result('aa'),
      others: [
        {
          site: 'wiki',
          names: ['wiki.test'],
          declaredIn: ['service wiki'],
          ...(wikiFails ? { error: { code: 'CA_REFUSED', message: 'wiki.test does not resolve\nmore' } } : { result: result('cc') }),
        },
        { site: 'shop', names: ['shop.test'], declaredIn: ['service shop'], skipped: 'failed 1 time in a row' },
      ],
    });
    for (const wikiFails of [true, false]) {
      monitor.observer.checkStarted();
      monitor.observer.checkEnded({ ok: true, result: withSites(wikiFails) }, new Date(clock.now + 60_000));
      await monitor.settled();
      clock.now += 60_000;
    }
    expect(sent.map((body) => [body.event, body.text.includes('wiki')])).toEqual([
      ['firing', true],
      ['resolved', true],
    ]);
    const text = await monitor.metricsText();
    expect(text).toContain('certkit_renewal_failures_total{name="wiki",reason="CA_REFUSED"} 1');
    expect(text).not.toContain('name="shop"');
  });

  it("the .env site's failure in the result (the Compose daemon's run) fails the check; its wait keeps the alert; success resolves it", async () => {
    const clock = { now: T0 };
    const { monitor, sent } = makeMonitor(clock);
    const notDone = { ...result('aa'), action: 'skipped' as const, serial: undefined };
    for (const outcome of [
      { ...notDone, failure: { code: 'CA_REFUSED', message: 'a.test does not resolve\nmore' } },
      { ...notDone, waiting: 'failed 1 time in a row; next try at 2026-11-23T00:01:00.000Z' },
      result('bb'),
    ]) {
      monitor.observer.checkStarted();
      monitor.observer.checkEnded({ ok: true, result: outcome }, new Date(clock.now + 60_000));
      await monitor.settled();
      if (outcome.serial === undefined) {
        const text = await monitor.metricsText();
        expect(text).toContain('certkit_last_check_success 0');
        expect(text).toContain('certkit_renewal_failures_total{name="a.test",reason="CA_REFUSED"} 1');
        expect(monitor.knownProblems()).toEqual([
          expect.stringMatching(/^the check of a\.test failed \(CA_REFUSED\): a\.test does not resolve/),
        ]);
      }
      clock.now += 60_000;
    }
    expect(sent.map((body) => body.event)).toEqual(['firing', 'resolved']);
    expect(await monitor.metricsText()).toContain('certkit_last_check_success 1');
  });

  it('reports the loop unhealthy when a check outlasts the grace', () => {
    const clock = { now: T0 };
    const { monitor } = makeMonitor(clock, 10_000);
    monitor.observer.checkStarted();
    clock.now += 9_000;
    expect(monitor.liveness().healthy).toBe(true);
    clock.now += 2_000;
    expect(monitor.liveness().healthy).toBe(false);
  });
});

describe('createDaemonMonitor between checks', () => {
  it('fires the expiry alert while the loop sleeps, without touching the renewal alert', async () => {
    const clock = { now: T0 };
    const { monitor, sent } = makeMonitor(clock);
    monitor.observer.checkStarted();
    monitor.observer.checkEnded({ ok: false, error: new CertkitError('CA_REFUSED', 'refused') }, new Date(T0 + 86_400_000));
    await monitor.settled();
    monitor.reevaluate();
    await monitor.settled();
    expect(sent).toEqual([expect.objectContaining({ alert: 'renewal_failed', event: 'firing' })]);
    clock.now = T0 + 86_400_000 - 3_600_000; // an hour left of a 25-hour lifetime: under a sixth
    monitor.reevaluate();
    await monitor.settled();
    expect(sent.map((body) => `${body.alert} ${body.event}`)).toEqual(['renewal_failed firing', 'certificate_expiring firing']);
  });
});

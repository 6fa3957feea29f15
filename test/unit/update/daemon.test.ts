import { describe, expect, it } from 'vitest';
import { composeAttempts, describeResult, runDaemon } from '../../../src/update/daemon.js';
import type { UpdateResult } from '../../../src/update/update.js';
import { CertkitError } from '../../../src/errors.js';

const HOUR = 3_600_000;

function result(action: UpdateResult['action']): UpdateResult {
  return {
    certName: 'example.com',
    domains: ['example.com'],
    action,
    reasons: [],
    serial: 'abc',
    notAfter: new Date('2027-02-01T00:00:00Z'),
    profile: undefined,
    served: [],
    reloaded: action === 'renewed',
    rendered: [],
  };
}

/** Runs the loop over a scripted sequence of cycle outcomes and records every delay it chose. */
async function runScripted(outcomes: Array<'ok' | 'fail'>): Promise<{ delays: number[]; lines: string[] }> {
  const delays: number[] = [];
  const lines: string[] = [];
  const stop = new AbortController();
  let cycle = 0;
  await runDaemon(
    {
      runCycle: async () => {
        const outcome = outcomes[cycle++];
        if (outcome === 'fail') throw new CertkitError('CA_REFUSED', 'the CA refused');
        return { result: result('unchanged'), intervalMs: 12 * HOUR };
      },
      log: {
        debug: () => {},
        info: (line) => lines.push(line),
        warn: (line) => lines.push(line),
        error: (line) => lines.push(`error: ${line}`),
      },
      now: () => new Date('2026-11-22T00:00:00Z'),
      random: () => 0.5,
      sleep: async (ms) => {
        delays.push(ms);
        if (delays.length >= outcomes.length) stop.abort();
      },
    },
    stop.signal,
  );
  return { delays, lines };
}

describe('runDaemon', () => {
  it('checks again after the interval plus jitter when a check succeeds', async () => {
    const { delays, lines } = await runScripted(['ok', 'ok']);
    expect(delays).toEqual([12.6 * HOUR, 12.6 * HOUR]);
    expect(lines).toContain('check done: example.com unchanged (serial abc, expires 2027-02-01T00:00:00.000Z)');
    expect(lines.some((line) => line.startsWith('next check at 2026-11-22T12:36:00.000Z'))).toBe(true);
  });

  it('backs off 1 min, 10 min, 100 min, then daily after failures, and never stops the loop', async () => {
    const { delays, lines } = await runScripted(['fail', 'fail', 'fail', 'fail', 'fail']);
    expect(delays).toEqual([60_000, 600_000, 6_000_000, 86_400_000, 86_400_000]);
    expect(lines).toContain('error: check failed (1 in a row): CA_REFUSED: the CA refused');
  });

  it('returns to the regular interval once a check succeeds again', async () => {
    const { delays } = await runScripted(['fail', 'fail', 'ok', 'fail']);
    expect(delays).toEqual([60_000, 600_000, 12.6 * HOUR, 60_000]);
  });
});

/**
 * Runs three checks of one failing site (`site`), as `outcome` reports it failed or waiting: the first wake comes
 * early, at 30 s (the site still waits); the next at its time, when it is tried again. Records what the loop did.
 */
async function runBackoff(site: string, outcome: (reason: string | undefined) => UpdateResult) {
  let now = new Date('2026-11-22T00:00:00Z');
  const seen = { delays: [] as number[], waiting: [] as Array<string | undefined>, warnings: [] as string[], errors: [] as string[] };
  const stop = new AbortController();
  await runDaemon(
    {
      runCycle: async (waiting) => {
        const reason = waiting(site);
        seen.waiting.push(reason);
        return { result: outcome(reason), intervalMs: 12 * HOUR };
      },
      log: { debug: () => {}, info: () => {}, warn: (line) => seen.warnings.push(line), error: (line) => seen.errors.push(line) },
      now: () => now,
      random: () => 0.5,
      sleep: async (ms) => {
        seen.delays.push(ms);
        now = new Date(now.getTime() + (seen.delays.length === 1 ? 30_000 : ms));
        if (seen.delays.length >= 3) stop.abort();
      },
    },
    stop.signal,
  );
  return seen;
}

describe('runDaemon: a site that fails alone', () => {
  it('backs off alone: left out of the next checks until its time, the loop waking for it before the regular interval', async () => {
    const good = { site: 'good', names: ['good.test'], declaredIn: [] };
    const seen = await runBackoff('bad', (reason) => {
      const bad = reason
        ? { site: 'bad', names: ['bad.test'], declaredIn: [], skipped: reason }
        : { site: 'bad', names: ['bad.test'], declaredIn: [], error: { code: 'PREFLIGHT_FAILED', message: 'bad.test does not resolve' } };
      return { ...result('unchanged'), others: [good, bad] };
    });
    expect(seen.waiting).toEqual([undefined, 'failed 1 time in a row; next try at 2026-11-22T00:01:00.000Z', undefined]);
    expect(seen.delays).toEqual([60_000, 30_000, 600_000]);
    expect(seen.warnings).toEqual([
      expect.stringMatching(/^site bad failed \(PREFLIGHT_FAILED\), 1 time in a row: it backs off alone, next try at 2026-11-22T00:01:00/),
      expect.stringMatching(/^site bad failed \(PREFLIGHT_FAILED\), 2 times in a row: .* \(in 10m\)/),
    ]);
  });
});

describe("runDaemon: the .env site's own failure (Compose: envFailureInResult)", () => {
  it('backs it off alone, as any other site: the loop does not fail, the next checks wait for it, the others go on', async () => {
    const shop = { site: 'shop', names: ['shop.test'], declaredIn: [] };
    const seen = await runBackoff('example.com', (reason) => ({
      ...result('skipped'),
      ...(reason ? { waiting: reason } : { failure: { code: 'CA_REFUSED', message: 'the CA refused example.com' } }),
      others: [shop],
    }));
    expect(seen.waiting).toEqual([undefined, 'failed 1 time in a row; next try at 2026-11-22T00:01:00.000Z', undefined]);
    expect(seen.delays).toEqual([60_000, 30_000, 600_000]);
    expect(seen.errors).toEqual([]);
    expect(seen.warnings).toEqual([
      expect.stringMatching(/^site example\.com failed \(CA_REFUSED\), 1 time in a row: it backs off alone/),
      expect.stringMatching(/^site example\.com failed \(CA_REFUSED\), 2 times in a row: .* \(in 10m\)/),
    ]);
  });

  it('composeAttempts: the .env site counts when worked on, failed or waiting; not when `update SITE...` left it out', () => {
    const shop = { site: 'shop', names: [], declaredIn: [] };
    expect(composeAttempts({ ...result('unchanged'), others: [shop] })).toEqual([
      { site: 'example.com', error: undefined, skipped: undefined },
      shop,
    ]);
    const failure = { code: 'CA_REFUSED', message: 'refused' };
    expect(composeAttempts({ ...result('skipped'), failure })).toEqual([{ site: 'example.com', error: failure, skipped: undefined }]);
    expect(composeAttempts({ ...result('skipped'), waiting: 'later' })).toEqual([
      { site: 'example.com', error: undefined, skipped: 'later' },
    ]);
    expect(composeAttempts({ ...result('skipped'), others: [shop] })).toEqual([shop]);
  });
});

describe('describeResult', () => {
  it("names the .env site's failure or wait", () => {
    const others = [{ site: 'shop', names: [], declaredIn: [], skipped: 'later' }];
    expect(describeResult({ ...result('skipped'), failure: { code: 'CA_REFUSED', message: 'x' }, others })).toBe(
      'example.com failed (CA_REFUSED); site shop waits (later)',
    );
    expect(describeResult({ ...result('skipped'), waiting: 'failed 1 time in a row' })).toBe('example.com waits (failed 1 time in a row)');
  });

  it('says why a check renewed, or why not', () => {
    const renewed = {
      ...result('renewed'),
      reasons: ['the CA asked for renewal (ARI): its renewal window for this certificate runs a to b'],
    };
    expect(describeResult(renewed)).toBe(
      'example.com renewed (serial abc, expires 2027-02-01T00:00:00.000Z, nginx reloaded): the CA asked for renewal (ARI): its renewal window for this certificate runs a to b',
    );
    expect(describeResult(result('unchanged'))).toBe('example.com unchanged (serial abc, expires 2027-02-01T00:00:00.000Z)');
  });
});

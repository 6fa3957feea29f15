import { describe, expect, it } from 'vitest';
import { describeResult, runDaemon } from '../../../src/update/daemon.js';
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

describe('runDaemon: a site that fails alone', () => {
  it('backs off alone: left out of the next checks until its time, the loop waking for it before the regular interval', async () => {
    let now = new Date('2026-11-22T00:00:00Z');
    const delays: number[] = [];
    const waitingSeen: Array<string | undefined> = [];
    const warnings: string[] = [];
    const stop = new AbortController();
    const good = { site: 'good', names: ['good.test'], declaredIn: [] };
    await runDaemon(
      {
        runCycle: async (waiting) => {
          const reason = waiting('bad');
          waitingSeen.push(reason);
          const bad = reason
            ? { site: 'bad', names: ['bad.test'], declaredIn: [], skipped: reason }
            : {
                site: 'bad',
                names: ['bad.test'],
                declaredIn: [],
                error: { code: 'PREFLIGHT_FAILED', message: 'bad.test does not resolve' },
              };
          return { result: { ...result('unchanged'), others: [good, bad] }, intervalMs: 12 * HOUR };
        },
        log: { debug: () => {}, info: () => {}, warn: (line) => warnings.push(line), error: () => {} },
        now: () => now,
        random: () => 0.5,
        sleep: async (ms) => {
          delays.push(ms);
          // The first wake is early, at 30 s: the site still waits; the next at its time, when it is tried again.
          now = new Date(now.getTime() + (delays.length === 1 ? 30_000 : ms));
          if (delays.length >= 3) stop.abort();
        },
      },
      stop.signal,
    );
    expect(waitingSeen).toEqual([undefined, 'failed 1 time in a row; next try at 2026-11-22T00:01:00.000Z', undefined]);
    expect(delays).toEqual([60_000, 30_000, 600_000]);
    expect(warnings).toEqual([
      expect.stringMatching(/^site bad failed \(PREFLIGHT_FAILED\), 1 time in a row: it backs off alone, next try at 2026-11-22T00:01:00/),
      expect.stringMatching(/^site bad failed \(PREFLIGHT_FAILED\), 2 times in a row: .* \(in 10m\)/),
    ]);
  });
});

describe('describeResult', () => {
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

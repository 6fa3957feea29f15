import { describe, expect, it } from 'vitest';
import { SiteBackoff } from '../../../src/update/site-backoff.js';

const T0 = new Date('2026-12-03T00:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const refused = { site: 'bad', error: { code: 'CA_REFUSED', message: 'the CA refused bad.test' } };

describe('SiteBackoff', () => {
  it('makes a failed site wait 1 min, then 10 min after a second failure, naming it in the log line; the others go on', () => {
    const backoff = new SiteBackoff();
    const lines = backoff.record([refused, { site: 'good' }], T0);
    expect(lines).toEqual([
      'site bad failed (CA_REFUSED), 1 time in a row: it backs off alone, next try at 2026-12-03T00:01:00.000Z (in 60s); the other sites go on',
    ]);
    expect(backoff.waiting('good', T0)).toBeUndefined();
    expect(backoff.waiting('bad', at(59_000))).toBe('failed 1 time in a row; next try at 2026-12-03T00:01:00.000Z');
    expect(backoff.nextRetryInMs(at(20_000))).toBe(40_000);
    expect(backoff.waiting('bad', at(60_000))).toBeUndefined();
    expect(backoff.record([refused], at(60_000))[0]).toContain('2 times in a row');
    expect(backoff.waiting('bad', at(60_000 + 599_000))).toMatch(/^failed 2 times in a row; next try at 2026-12-03T00:11:00.000Z$/);
  });

  it('leaves a waiting (skipped) site as it was, and starts a site afresh once it succeeds', () => {
    const backoff = new SiteBackoff();
    backoff.record([refused], T0);
    expect(backoff.record([{ site: 'bad', skipped: 'failed 1 time in a row' }], at(1_000))).toEqual([]);
    expect(backoff.waiting('bad', at(1_000))).toBeDefined();
    backoff.record([{ site: 'bad' }], at(60_000));
    expect(backoff.waiting('bad', at(60_000))).toBeUndefined();
    expect(backoff.nextRetryInMs(at(60_000))).toBeUndefined();
    expect(backoff.record([refused], at(61_000))[0]).toContain('1 time in a row');
  });
});

import { describe, expect, it } from 'vitest';
import type { Version } from '../../../src/certbot/certbot-version.js';
import { decideRenewal, formatDuration } from '../../../src/certbot/renewal-due.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const OLD_CERTBOT: Version = [2, 1, 0];
const NEW_CERTBOT: Version = [5, 1, 0];
const ISSUED = new Date('2026-01-01T00:00:00Z');

/** A certificate issued at ISSUED that lives `lifetimeMs`. */
const cert = (lifetimeMs: number) => ({ notBefore: ISSUED, notAfter: new Date(ISSUED.getTime() + lifetimeMs) });
/** The moment `elapsedMs` after ISSUED. */
const at = (elapsedMs: number) => new Date(ISSUED.getTime() + elapsedMs);

describe('a 90-day certificate', () => {
  const ninety = cert(90 * DAY_MS);

  it.each([
    ['certbot 2.1 (30 days left)', OLD_CERTBOT, 'certkit'],
    ['certbot 5.x (a third left)', NEW_CERTBOT, 'certbot'],
  ] as const)('with %s is due at day 60', (_, certbot, decidedBy) => {
    const before = decideRenewal(ninety, at(60 * DAY_MS - 1), certbot);
    expect(before.due).toBe(false);
    expect(before.dueAt).toEqual(at(60 * DAY_MS));
    expect(before.decidedBy).toBe(decidedBy);
    expect(before.reason).toBe('not due until 2026-03-02T00:00:00.000Z (30d left of 90d)');
    const after = decideRenewal(ninety, at(60 * DAY_MS), certbot);
    expect(after.due).toBe(true);
    expect(after.reason).toBe('due for renewal (30d left of 90d)');
  });

  it('lets certbot decide from 4.0, certkit before', () => {
    expect(decideRenewal(ninety, at(0), [3, 9, 9]).decidedBy).toBe('certkit');
    expect(decideRenewal(ninety, at(0), [4, 0, 0]).decidedBy).toBe('certbot');
  });
});

describe('a 6-day (shortlived, 160-hour) certificate', () => {
  const short = cert(160 * HOUR_MS);

  it('with certbot 5.x is due when half its lifetime is left', () => {
    const decision = decideRenewal(short, at(0), NEW_CERTBOT);
    expect(decision.dueAt).toEqual(at(80 * HOUR_MS));
    expect(decideRenewal(short, at(80 * HOUR_MS - 1), NEW_CERTBOT).due).toBe(false);
    expect(decideRenewal(short, at(80 * HOUR_MS), NEW_CERTBOT).due).toBe(true);
  });

  it('with certbot 2.1 is not due at every check (its 30-day rule would renew it constantly): half its lifetime first', () => {
    for (let hour = 0; hour < 80; hour += 12) {
      expect(decideRenewal(short, at(hour * HOUR_MS), OLD_CERTBOT).due, `hour ${hour}`).toBe(false);
    }
    expect(decideRenewal(short, at(80 * HOUR_MS), OLD_CERTBOT)).toMatchObject({ due: true, dueAt: at(80 * HOUR_MS), decidedBy: 'certkit' });
  });

  it('uses a third, not half, from 10 days of lifetime on', () => {
    expect(decideRenewal(cert(10 * DAY_MS), at(0), NEW_CERTBOT).dueAt).toEqual(at((20 / 3) * DAY_MS));
  });
});

describe('a 5-year certificate with certbot 2.1', () => {
  const fiveYears = cert(1826 * DAY_MS);

  it('is due when a third of its lifetime is left, not 30 days before expiry', () => {
    const decision = decideRenewal(fiveYears, at(0), OLD_CERTBOT);
    expect(decision.dueAt.getTime()).toBeCloseTo(ISSUED.getTime() + (1826 * 2 * DAY_MS) / 3, -3);
    expect(decideRenewal(fiveYears, at(1217 * DAY_MS), OLD_CERTBOT).due).toBe(false);
    expect(decideRenewal(fiveYears, at(1218 * DAY_MS), OLD_CERTBOT).due).toBe(true);
  });
});

describe('an expired certificate', () => {
  it.each([
    ['2.1', OLD_CERTBOT],
    ['5.x', NEW_CERTBOT],
  ] as const)('is due with certbot %s, and says how long ago it expired', (_, certbot) => {
    const decision = decideRenewal(cert(90 * DAY_MS), at(95 * DAY_MS), certbot);
    expect(decision.due).toBe(true);
    expect(decision.reason).toBe('due for renewal (-5d left of 90d)');
  });
});

describe('formatDuration', () => {
  it.each([
    [3 * DAY_MS, '3d'],
    [47 * HOUR_MS, '47h'],
    [90 * 60_000, '90m'],
    [90_000, '90s'],
    [-3 * DAY_MS, '-3d'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

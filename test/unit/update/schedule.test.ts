import { describe, expect, it } from 'vitest';
import { BACKOFF_MS, backoffDelay, nextCheckDelay } from '../../../src/update/schedule.js';

const MINUTE_MS = 60_000;
const TWELVE_HOURS_MS = 12 * 60 * MINUTE_MS;

describe('nextCheckDelay', () => {
  it('is the interval itself with no jitter', () => {
    expect(nextCheckDelay(TWELVE_HOURS_MS, () => 0)).toBe(TWELVE_HOURS_MS);
  });

  it('adds at most a tenth of the interval', () => {
    expect(nextCheckDelay(TWELVE_HOURS_MS, () => 0.5)).toBe(TWELVE_HOURS_MS + 36 * MINUTE_MS);
    expect(nextCheckDelay(TWELVE_HOURS_MS, () => 0.999_999)).toBeLessThanOrEqual(TWELVE_HOURS_MS * 1.1);
  });

  it('stays within [interval, 1.1 × interval] for any random draw', () => {
    for (let draw = 0; draw < 1; draw += 0.01) {
      const delay = nextCheckDelay(30 * MINUTE_MS, () => draw);
      expect(delay).toBeGreaterThanOrEqual(30 * MINUTE_MS);
      expect(delay).toBeLessThanOrEqual(33 * MINUTE_MS);
      expect(Number.isInteger(delay)).toBe(true);
    }
  });
});

describe('backoffDelay', () => {
  it("follows Let's Encrypt's advice: 1 min, 10 min, 100 min, then daily", () => {
    expect([1, 2, 3, 4].map(backoffDelay)).toEqual([MINUTE_MS, 10 * MINUTE_MS, 100 * MINUTE_MS, 24 * 60 * MINUTE_MS]);
    expect(BACKOFF_MS).toEqual([MINUTE_MS, 10 * MINUTE_MS, 100 * MINUTE_MS, 24 * 60 * MINUTE_MS]);
  });

  it('stays at a day however many failures follow', () => {
    expect([5, 10, 1000].map(backoffDelay)).toEqual([86_400_000, 86_400_000, 86_400_000]);
  });

  it('treats 0 or fewer failures as the first', () => {
    expect(backoffDelay(0)).toBe(MINUTE_MS);
    expect(backoffDelay(-3)).toBe(MINUTE_MS);
  });
});

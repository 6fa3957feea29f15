import { describe, expect, it } from 'vitest';
import { judgeLiveness } from '../../../src/health/liveness.js';

const T0 = new Date('2026-11-23T00:00:00Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);

describe('judgeLiveness', () => {
  it('is healthy while a check runs within the grace, unhealthy after', () => {
    expect(judgeLiveness({ phase: 'checking', since: T0 }, at(59_000), 60_000).healthy).toBe(true);
    const stuck = judgeLiveness({ phase: 'checking', since: T0 }, at(61_000), 60_000);
    expect(stuck).toEqual({ healthy: false, reason: 'checking since 2026-11-23T00:00:00.000Z, longer than CERTKIT_HEALTH_GRACE (60 s)' });
    expect(judgeLiveness({ phase: 'starting', since: T0 }, at(61_000), 60_000).healthy).toBe(false);
  });

  it('is healthy through a long sleep, unhealthy when the next check is overdue by more than the grace', () => {
    const sleeping = { phase: 'sleeping' as const, since: T0, until: at(86_400_000) };
    expect(judgeLiveness(sleeping, at(86_400_000 + 60_000), 60_000).healthy).toBe(true);
    expect(judgeLiveness(sleeping, at(86_400_000 + 60_001), 60_000).healthy).toBe(false);
  });
});

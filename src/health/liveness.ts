/** Where the renewal loop is: starting (before its first check), inside a check, or sleeping until the next. */
export type LoopState =
  { phase: 'starting'; since: Date } | { phase: 'checking'; since: Date } | { phase: 'sleeping'; since: Date; until: Date };

export interface Liveness {
  healthy: boolean;
  reason: string;
}

/**
 * Whether the loop is alive and its last check recent: a check (or the start) may run for `graceMs`, and a sleep
 * may overrun its planned end by `graceMs`. Past that the loop is stuck (a hung exec, a lock never released). Pure.
 */
export function judgeLiveness(state: LoopState, now: Date, graceMs: number): Liveness {
  const late = (deadline: number): number => now.getTime() - deadline;
  if (state.phase === 'sleeping') {
    const over = late(state.until.getTime() + graceMs);
    return over > 0
      ? { healthy: false, reason: `the next check was due at ${state.until.toISOString()} and has not started` }
      : { healthy: true, reason: `sleeping until ${state.until.toISOString()}` };
  }
  const over = late(state.since.getTime() + graceMs);
  const what = state.phase === 'starting' ? 'starting' : 'checking';
  return over > 0
    ? {
        healthy: false,
        reason: `${what} since ${state.since.toISOString()}, longer than CERTKIT_HEALTH_GRACE (${Math.round(graceMs / 1000)} s)`,
      }
    : { healthy: true, reason: `${what} since ${state.since.toISOString()}` };
}

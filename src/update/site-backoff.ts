import { backoffDelay } from './schedule.js';
import type { SiteOutcome } from './update-context.js';

interface Failing {
  failures: number;
  retryAt: number;
  lastError: string;
}

/**
 * Per-site retry schedule of the daemon: a site that failed waits 1 min, 10 min, 100 min, then a day before its next
 * try, alone; the other sites keep their own schedule. Kept in the daemon's memory: a restart tries every site again,
 * which is what a user who fixed something expects.
 */
export class SiteBackoff {
  private readonly failing = new Map<string, Failing>();

  /** Records a run's outcomes: a failed site backs off further, one that succeeded starts afresh. */
  record(outcomes: readonly SiteOutcome[], now: Date): void {
    for (const outcome of outcomes) {
      if (outcome.skipped) continue;
      if (!outcome.error) {
        this.failing.delete(outcome.site);
        continue;
      }
      const failures = (this.failing.get(outcome.site)?.failures ?? 0) + 1;
      this.failing.set(outcome.site, { failures, retryAt: now.getTime() + backoffDelay(failures), lastError: outcome.error.message });
    }
  }

  /** Why this site waits, or undefined when it may be tried now. */
  waiting(site: string, now: Date): string | undefined {
    const entry = this.failing.get(site);
    if (!entry || entry.retryAt <= now.getTime()) return undefined;
    return `failed ${entry.failures} time${entry.failures === 1 ? '' : 's'} in a row; next try at ${new Date(entry.retryAt).toISOString()}`;
  }

  /** How long until the earliest site in backoff may be tried again; undefined when none is waiting. */
  nextRetryInMs(now: Date): number | undefined {
    const times = [...this.failing.values()].map((entry) => Math.max(0, entry.retryAt - now.getTime()));
    return times.length > 0 ? Math.min(...times) : undefined;
  }
}

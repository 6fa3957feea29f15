import { formatDuration } from '../certbot/renewal-due.js';
import { backoffDelay } from './schedule.js';

/** What became of one site in a check, as its backoff needs it (Compose's SiteOutcome and Swarm's fit). */
export interface SiteAttempt {
  site: string;
  error?: { code?: string | undefined; message: string } | undefined;
  /** Not worked on this check (it waited out its backoff): neither a success nor a failure. */
  skipped?: string | undefined;
}

interface Failing {
  failures: number;
  retryAt: number;
  lastError: string;
}

/**
 * Per-site retry schedule of the daemon (Compose and Swarm alike): a site that failed waits 1 min, 10 min, 100 min,
 * then a day before its next try, alone; the other sites keep their own schedule. Kept in the daemon's memory: a
 * restart tries every site again, which is what a user who fixed something expects.
 */
export class SiteBackoff {
  private readonly failing = new Map<string, Failing>();

  /**
   * Records a check's outcomes: a failed site backs off further, one that succeeded starts afresh. Returns a line for
   * each site that now backs off (its name, the failures in a row, its next try), for the log.
   */
  record(attempts: readonly SiteAttempt[], now: Date): string[] {
    const lines: string[] = [];
    for (const attempt of attempts) {
      if (attempt.skipped) continue;
      if (!attempt.error) {
        this.failing.delete(attempt.site);
        continue;
      }
      const failures = (this.failing.get(attempt.site)?.failures ?? 0) + 1;
      const delay = backoffDelay(failures);
      this.failing.set(attempt.site, { failures, retryAt: now.getTime() + delay, lastError: attempt.error.message });
      const code = attempt.error.code ? ` (${attempt.error.code})` : '';
      lines.push(
        `site ${attempt.site} failed${code}, ${failures} time${failures === 1 ? '' : 's'} in a row: it backs off alone, ` +
          `next try at ${new Date(now.getTime() + delay).toISOString()} (in ${formatDuration(delay)}); the other sites go on`,
      );
    }
    return lines;
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

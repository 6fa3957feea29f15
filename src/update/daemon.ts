import { isCertkitError } from '../errors.js';
import type { Logger } from '../log.js';
import { formatDuration } from '../certbot/renewal-due.js';
import { backoffDelay, nextCheckDelay } from './schedule.js';
import type { SiteOutcome, UpdateResult } from './update.js';

export interface DaemonDeps<R = UpdateResult> {
  /** One full check: loads the configuration afresh (so .env edits are picked up) and runs an update. */
  runCycle: () => Promise<{ result: R; intervalMs: number; retryInMs?: number | undefined }>;
  /** A check's result in one line (default: describeResult, for Compose's UpdateResult). */
  describe?: (result: R) => string;
  log: Logger;
  now: () => Date;
  random: () => number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Told when each check starts and ends (metrics, health, alerts); must return at once and never throw. */
  observer?: DaemonObserver<R>;
}

export interface DaemonObserver<R = UpdateResult> {
  checkStarted(): void;
  checkEnded(outcome: { ok: true; result: R } | { ok: false; error: unknown }, next: Date): void;
}

/**
 * The renewal loop of the certkit container: a check at start, then at the configured interval with jitter.
 * Failures back off (1 min, 10 min, 100 min, then daily) and never end the loop; only the abort signal does.
 */
export async function runDaemon<R = UpdateResult>(deps: DaemonDeps<R>, signal: AbortSignal): Promise<void> {
  const describe = deps.describe ?? (describeResult as unknown as (result: R) => string);
  let failures = 0;
  while (!signal.aborted) {
    let delay: number;
    let outcome: Parameters<DaemonObserver<R>['checkEnded']>[0];
    deps.observer?.checkStarted();
    try {
      const { result, intervalMs, retryInMs } = await deps.runCycle();
      failures = 0;
      // A site backing off alone is tried again at its own time, before the next regular check when that is sooner.
      delay = Math.min(nextCheckDelay(intervalMs, deps.random), retryInMs ?? Number.POSITIVE_INFINITY);
      deps.log.info(`check done: ${describe(result)}`);
      outcome = { ok: true, result };
    } catch (error) {
      failures += 1;
      delay = backoffDelay(failures);
      const code = isCertkitError(error) ? `${error.code}: ` : '';
      deps.log.error(`check failed (${failures} in a row): ${code}${(error as Error).message}`);
      outcome = { ok: false, error };
    }
    const next = new Date(deps.now().getTime() + delay);
    deps.observer?.checkEnded(outcome, next);
    deps.log.info(`next check at ${next.toISOString()} (in ${formatDuration(delay)})`);
    await deps.sleep(delay, signal);
  }
  deps.log.info('stopping');
}

export function describeResult(result: UpdateResult): string {
  const expiry = result.notAfter ? `, expires ${result.notAfter.toISOString()}` : '';
  const reload = result.reloaded ? ', nginx reloaded' : '';
  // Why it was renewed (the CA's window, the threshold, --force) or why not: the reasons the plan gave.
  const why = result.reasons.length > 0 ? `: ${result.reasons.join('; ')}` : '';
  const others = (result.others ?? []).map(describeOutcome);
  return [`${result.certName} ${result.action} (serial ${result.serial ?? 'none'}${expiry}${reload})${why}`, ...others].join('; ');
}

function describeOutcome(outcome: SiteOutcome): string {
  if (outcome.skipped) return `site ${outcome.site} waits (${outcome.skipped})`;
  if (outcome.error) return `site ${outcome.site} failed (${outcome.error.code ?? 'error'})`;
  const result = outcome.result;
  return result ? `site ${outcome.site} ${result.action} (serial ${result.serial ?? 'none'})` : `site ${outcome.site}`;
}

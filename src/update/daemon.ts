import { isCertkitError } from '../errors.js';
import type { Logger } from '../log.js';
import { formatDuration } from '../certbot/renewal-due.js';
import { backoffDelay, nextCheckDelay } from './schedule.js';
import { SiteBackoff, type SiteAttempt } from './site-backoff.js';
import type { SiteOutcome, UpdateResult } from './update.js';

export interface DaemonDeps<R = UpdateResult> {
  /**
   * One full check: loads the configuration afresh (so .env edits are picked up) and runs an update, leaving out the
   * sites `waiting` names a reason for (each backing off alone after its own failures).
   */
  runCycle: (waiting: (site: string) => string | undefined) => Promise<{ result: R; intervalMs: number }>;
  /** A check's result in one line (default: describeResult, for Compose's UpdateResult). */
  describe?: (result: R) => string;
  /** What became of each site a check ran alone, for its backoff (default: Compose's `others`). */
  sites?: (result: R) => readonly SiteAttempt[];
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
 * The renewal loop of the certkit container, on Compose and on Swarm: a check at start, then at the configured interval
 * with jitter. Failures back off (1 min, 10 min, 100 min, then daily) and never end the loop; only the abort signal
 * does. A check that fails as a whole backs the loop off; a site that fails alone backs off alone (SiteBackoff): the
 * next checks leave it out until its time, and the loop wakes for it when that comes before the next regular check.
 */
export async function runDaemon<R = UpdateResult>(deps: DaemonDeps<R>, signal: AbortSignal): Promise<void> {
  const describe = deps.describe ?? (describeResult as unknown as (result: R) => string);
  const sitesOf = deps.sites ?? ((result: R) => composeAttempts(result as unknown as UpdateResult));
  const backoff = new SiteBackoff();
  let failures = 0;
  while (!signal.aborted) {
    let delay: number;
    let outcome: Parameters<DaemonObserver<R>['checkEnded']>[0];
    deps.observer?.checkStarted();
    try {
      const { result, intervalMs } = await deps.runCycle((site) => backoff.waiting(site, deps.now()));
      failures = 0;
      for (const line of backoff.record(sitesOf(result), deps.now())) deps.log.warn(line);
      const retryInMs = backoff.nextRetryInMs(deps.now());
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

/**
 * What became of each site in a Compose check, for its backoff: the .env site (its failure or wait, when the run
 * reported it instead of throwing: envFailureInResult) and every other site. Pure.
 */
export function composeAttempts(result: UpdateResult): SiteAttempt[] {
  const env: SiteAttempt = { site: result.certName, error: result.failure, skipped: result.waiting };
  // `update SITE...` leaving the .env site out is no attempt; the daemon never does, but nothing is recorded for it.
  const attempted = result.failure !== undefined || result.waiting !== undefined || result.action !== 'skipped';
  return [...(attempted ? [env] : []), ...(result.others ?? [])];
}

export function describeResult(result: UpdateResult): string {
  const others = (result.others ?? []).map(describeOutcome);
  if (result.failure) return [`${result.certName} failed (${result.failure.code ?? 'error'})`, ...others].join('; ');
  if (result.waiting) return [`${result.certName} waits (${result.waiting})`, ...others].join('; ');
  const expiry = result.notAfter ? `, expires ${result.notAfter.toISOString()}` : '';
  const reload = result.reloaded ? ', nginx reloaded' : '';
  // Why it was renewed (the CA's window, the threshold, --force) or why not: the reasons the plan gave.
  const why = result.reasons.length > 0 ? `: ${result.reasons.join('; ')}` : '';
  return [`${result.certName} ${result.action} (serial ${result.serial ?? 'none'}${expiry}${reload})${why}`, ...others].join('; ');
}

function describeOutcome(outcome: SiteOutcome): string {
  if (outcome.skipped) return `site ${outcome.site} waits (${outcome.skipped})`;
  if (outcome.error) return `site ${outcome.site} failed (${outcome.error.code ?? 'error'})`;
  const result = outcome.result;
  return result ? `site ${outcome.site} ${result.action} (serial ${result.serial ?? 'none'})` : `site ${outcome.site}`;
}

import { CertkitError } from './errors.js';

/** How certkit waits: passed in (the CLI builds it from `sleep` below; tests pass one that returns at once). */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/**
 * Polls `check` until it reports done or the timeout passes; the timeout error names what was awaited and the last
 * state seen, so a failure says more than "timed out". The clock and the pause are passed in.
 */
export async function waitFor<T>(
  check: () => Promise<{ done: boolean; value: T }>,
  options: { timeoutMs: number; intervalMs: number; what: string; describe?: (value: T) => string; now: () => Date; sleep: Sleep },
): Promise<T> {
  const deadline = options.now().getTime() + options.timeoutMs;
  let last: string;
  for (;;) {
    try {
      const result = await check();
      if (result.done) return result.value;
      last = options.describe ? options.describe(result.value) : JSON.stringify(result.value);
    } catch (error) {
      last = `error: ${(error as Error).message}`;
    }
    if (options.now().getTime() >= deadline) {
      throw new CertkitError(
        'TIMEOUT',
        `timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for ${options.what}; last seen: ${last}`,
      );
    }
    await options.sleep(options.intervalMs);
  }
}

/** A real pause that ends early, without error, when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done);
  });
}

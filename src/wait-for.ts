import { CertkitError } from './errors.js';

/**
 * Polls `check` until it reports done or the timeout passes; the timeout error names what was awaited and the last
 * state seen, so a failure says more than "timed out".
 */
export async function waitFor<T>(
  check: () => Promise<{ done: boolean; value: T }>,
  options: { timeoutMs: number; intervalMs: number; what: string; describe?: (value: T) => string },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let last: string = 'nothing seen yet';
  for (;;) {
    try {
      const result = await check();
      if (result.done) return result.value;
      last = options.describe ? options.describe(result.value) : JSON.stringify(result.value);
    } catch (error) {
      last = `error: ${(error as Error).message}`;
    }
    if (Date.now() >= deadline) {
      throw new CertkitError('TIMEOUT', `timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for ${options.what}; last seen: ${last}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}

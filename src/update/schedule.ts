/** Retry delays after consecutive failures, as Let's Encrypt recommends: 1 min, 10 min, 100 min, then daily. */
export const BACKOFF_MS = [60_000, 600_000, 6_000_000, 86_400_000] as const;

/** The delay before the next regular check: the interval plus a random jitter of up to a tenth of it. */
export function nextCheckDelay(intervalMs: number, random: () => number): number {
  return Math.round(intervalMs + random() * intervalMs * 0.1);
}

/** The delay after the Nth consecutive failure (1-based). */
export function backoffDelay(failures: number): number {
  const index = Math.min(Math.max(failures, 1), BACKOFF_MS.length) - 1;
  return BACKOFF_MS[index] as number;
}

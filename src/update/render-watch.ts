import type { Sleep } from '../wait-for.js';

/**
 * The daemon's pause between checks, cut short when the rendered nginx files change (`docker compose up -d` runs
 * certkit-init, which renders a changed .env, and recreates nothing else): the next check then reloads nginx within
 * `pollMs`, not hours later. Only a change of the files wakes it: an nginx that refused them is not asked again until
 * the backoff ends or they change once more.
 */
export async function sleepUntilRenderChanges(
  ms: number,
  signal: AbortSignal | undefined,
  deps: { sleep: Sleep; now: () => Date; pollMs: number; readStamp: () => Promise<string | undefined> },
): Promise<void> {
  const end = deps.now().getTime() + ms;
  const known = await deps.readStamp();
  for (;;) {
    const left = end - deps.now().getTime();
    if (left <= 0 || signal?.aborted) return;
    await deps.sleep(Math.min(left, deps.pollMs), signal);
    if (signal?.aborted) return;
    if ((await deps.readStamp()) !== known) return;
  }
}

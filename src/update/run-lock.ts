import { hostname } from 'node:os';
import type { Engine } from '../docker/engine.js';
import { CertkitError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Sleep } from '../wait-for.js';
import { LOCK_PATH } from '../stack/layout.js';

/** A run that still holds the lock after this long was cut off (certbot itself times out well before). */
const STALE_AFTER_MS = 30 * 60_000;
const POLL_MS = 2_000;

export type ReleaseLock = () => Promise<void>;

/**
 * One certkit run at a time per stack, whether it runs on the host or in the certkit container: the lock is a file
 * in the certbot container created with O_EXCL (sh's noclobber), so two callers can never both hold it. A second
 * caller waits up to `waitMs`, then gets a message naming the holder.
 */
export async function acquireRunLock(
  engine: Engine,
  certbotId: string,
  options: { waitMs: number; log: Logger; now: () => Date; sleep: Sleep; purpose: string },
): Promise<ReleaseLock> {
  const owner = `${options.purpose} pid ${process.pid} on ${hostname()} since ${options.now().toISOString()}`;
  const deadline = options.now().getTime() + options.waitMs;
  let announced = false;
  for (;;) {
    const created = await engine.exec(certbotId, ['sh', '-c', 'set -C; printf "%s\\n" "$1" > "$2"', 'sh', owner, LOCK_PATH]);
    if (created.exitCode === 0) {
      return async () => {
        await engine.exec(certbotId, ['rm', '-f', LOCK_PATH]);
      };
    }
    const holder = (await engine.exec(certbotId, ['cat', LOCK_PATH])).stdout.trim();
    const since = /since (\S+)$/.exec(holder)?.[1];
    if (since && options.now().getTime() - new Date(since).getTime() > STALE_AFTER_MS) {
      options.log.warn(`breaking a stale certkit lock (${holder})`);
      await engine.exec(certbotId, ['rm', '-f', LOCK_PATH]);
      continue;
    }
    if (options.now().getTime() >= deadline) {
      throw new CertkitError('LOCK_HELD', `Another certkit run is in progress (${holder || 'holder unknown'}). Wait for it to finish and try again.`);
    }
    if (!announced) {
      options.log.info(`waiting for another certkit run to finish (${holder || 'holder unknown'})`);
      announced = true;
    }
    await options.sleep(POLL_MS);
  }
}

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Engine } from '../docker/engine.js';
import { CertkitError } from '../errors.js';
import type { Logger } from '../log.js';
import { LOCK_PATH } from '../stack/layout.js';
import type { Sleep } from '../wait-for.js';

/** A lock in the old format (no lease) still held after this long was cut off (certbot itself times out well before). */
const STALE_AFTER_MS = 30 * 60_000;
const POLL_MS = 2_000;

export type ReleaseLock = () => Promise<void>;

/**
 * Creates the lock file with O_EXCL (sh's noclobber), writes "TOKEN PID" and the holder on two lines, then waits on
 * stdin: stdin is held by the certkit process (Engine.execHeld), so it ends when that run releases the lock or dies,
 * however it dies (SIGKILL included), and the script removes the file if it is still its own.
 * $1 holder, $2 lock path, $3 token.
 */
export const LEASE_SCRIPT = [
  'set -C',
  `{ printf '%s %s\\n%s\\n' "$3" "$$" "$1" > "$2"; } 2>/dev/null || exit 3`,
  'echo locked',
  'read -r _ || true',
  'IFS= read -r first < "$2" && [ "$first" = "$3 $$" ] && rm -f "$2"',
  'exit 0',
].join('\n');

/** Removes the lock file only when its first line is still this one (so a fresh lock is never removed). $1 path, $2 line. */
const REMOVE_IF_SCRIPT = 'IFS= read -r first < "$1" && [ "$first" = "$2" ] && rm -f "$1"';

export interface LockHolder {
  token: string | undefined;
  /** The lease process in the certbot container. */
  pid: string | undefined;
  /** Who holds it and since when, as written by the holder. */
  description: string;
  firstLine: string;
}

/** Reads a lock file's text: "TOKEN PID\nHOLDER" (this format), or one line "HOLDER since ISO" (certkit before leases). */
export function parseLockFile(text: string): LockHolder {
  const [firstLine = '', second] = text.split('\n');
  const lease = /^([0-9a-f]{16,}) (\d+)$/.exec(firstLine);
  if (lease && second !== undefined) return { token: lease[1], pid: lease[2], description: second.trim(), firstLine };
  return { token: undefined, pid: undefined, description: firstLine.trim(), firstLine };
}

/**
 * One certkit run at a time per stack, whether it runs on the host or in the certkit container: the lock is a file in
 * the certbot container held through a lease (see LEASE_SCRIPT). A lock whose lease process is gone (its run was
 * killed, or the certbot container restarted) is removed at once. A second caller waits up to `waitMs` for a live
 * holder, then gets a message naming it.
 */
export async function acquireRunLock(
  engine: Engine,
  certbotId: string,
  options: { waitMs: number; log: Logger; now: () => Date; sleep: Sleep; purpose: string },
): Promise<ReleaseLock> {
  const holder = `${options.purpose} (pid ${process.pid} on ${hostname()}) since ${options.now().toISOString()}`;
  const deadline = options.now().getTime() + options.waitMs;
  let announced = false;
  for (;;) {
    const token = randomBytes(12).toString('hex');
    const lease = await engine.execHeld(certbotId, ['sh', '-c', LEASE_SCRIPT, 'sh', holder, LOCK_PATH, token]);
    if ((await lease.firstLine) === 'locked') {
      return async () => {
        await lease.close();
      };
    }
    const ended = await lease.close();
    if (ended.exitCode !== 3) {
      throw new CertkitError(
        'EXEC_FAILED',
        `could not take the certkit lock ${LOCK_PATH} in the certbot container: ${(ended.stderr || ended.stdout).trim() || `exit ${ended.exitCode}`}`,
      );
    }
    const text = await engine.exec(certbotId, ['cat', LOCK_PATH]);
    if (text.exitCode !== 0) continue; // released between the two calls
    const held = parseLockFile(text.stdout);
    if (!(await isAlive(engine, certbotId, held, options.now()))) {
      options.log.warn(`removing a certkit lock left by a run that no longer exists (${held.description || 'holder unknown'})`);
      await engine.exec(certbotId, ['sh', '-c', REMOVE_IF_SCRIPT, 'sh', LOCK_PATH, held.firstLine]);
      continue;
    }
    if (options.now().getTime() >= deadline) {
      throw new CertkitError(
        'LOCK_HELD',
        `Another certkit run holds the lock: ${held.description || 'holder unknown'}, and it is still running. Wait for it to finish and try again` +
          ` (the lock, ${LOCK_PATH} in the certbot container, clears by itself the moment that run ends, however it ends).`,
      );
    }
    if (!announced) {
      options.log.info(`waiting for another certkit run to finish: ${held.description || 'holder unknown'}`);
      announced = true;
    }
    await options.sleep(POLL_MS);
  }
}

/** A leased lock is alive while its lease process is (its command line carries the token); an old one for 30 minutes. */
async function isAlive(engine: Engine, certbotId: string, held: LockHolder, now: Date): Promise<boolean> {
  if (held.token !== undefined && held.pid !== undefined) {
    const cmdline = await engine.exec(certbotId, ['cat', `/proc/${held.pid}/cmdline`]);
    return cmdline.exitCode === 0 && cmdline.stdout.split('\0').includes(held.token);
  }
  const since = /since (\S+)$/.exec(held.description)?.[1];
  return !(since && now.getTime() - new Date(since).getTime() > STALE_AFTER_MS);
}

/**
 * Runs `work` holding the lock. When the work failed, its error is the one reported: a lock that cannot be released
 * then (the certbot container stopped) clears by itself, as its lease ended with the container.
 */
export async function withRunLock<T>(
  engine: Engine,
  certbotId: string,
  options: Parameters<typeof acquireRunLock>[2],
  work: () => Promise<T>,
): Promise<T> {
  const release = await acquireRunLock(engine, certbotId, options);
  let result: T;
  try {
    result = await work();
  } catch (error) {
    await release().catch(() => undefined);
    throw error;
  }
  await release();
  return result;
}

import type { Config, SwarmConfig } from '../config/config.js';
import { CertkitError } from '../errors.js';
import type { Logger } from '../log.js';
import { loadProjectConfig, type GlobalOptions, type Io } from './context.js';

/**
 * `certkit daemon` on Swarm (CERTKIT_SWARM_STACK): `certkit update`'s reconcile at start, then every
 * CERTKIT_CHECK_INTERVAL with jitter, and soon after any of the stack's services is created, updated or removed
 * (a `docker stack deploy` again, an app's deploy.labels changed), so secrets a deploy dropped are put back within
 * seconds. Failures back off as on Compose.
 */
export async function runSwarmDaemon(input: {
  io: Io;
  globals: () => GlobalOptions;
  log: Logger;
  config: Config & { swarm: SwarmConfig };
  warned: Set<string>;
  signal: AbortSignal;
}): Promise<void> {
  const { io, log, signal } = input;
  const stack = input.config.swarm.stack;
  const [engine, { createSwarmApi }, { runSwarmUpdate }, { runDaemon }, { Wakeup }, { describeSwarmResult }] = await Promise.all([
    io.createEngine(io.env),
    import('../swarm/swarm-api.js'),
    import('../swarm/swarm-update.js'),
    import('../update/daemon.js'),
    import('../update/wakeup.js'),
    import('./format-swarm-result.js'),
  ]);
  const api = createSwarmApi(io.env);
  log.info(`certkit daemon for Swarm stack "${stack}" (${input.config.domains.join(', ')})`);
  const wakeup = new Wakeup(io.sleep, 2_000);
  const watching = (async () => {
    while (!signal.aborted) {
      try {
        await api.watchServiceEvents(
          stack,
          (event) => {
            log.info(`service ${event.name}: ${event.action}; checking the sites`);
            wakeup.wake();
          },
          signal,
        );
      } catch (error) {
        log.warn(
          `could not watch the services of stack ${stack} (${(error as Error).message}); changes are seen at the next check until it can`,
        );
      }
      if (!signal.aborted) await io.sleep(5_000, signal);
    }
  })();
  await runDaemon(
    {
      runCycle: async () => {
        const { config } = await loadProjectConfig(input.globals(), io, input.warned);
        if (config.swarm?.stack !== stack) {
          throw new CertkitError(
            'USAGE',
            `CERTKIT_SWARM_STACK changed from ${stack} to ${config.swarm?.stack ?? '(empty)'}: restart the daemon to drive ${config.swarm ? `stack ${config.swarm.stack}` : 'Compose'}`,
          );
        }
        const result = await runSwarmUpdate(
          {
            api,
            engine,
            config: { ...config, swarm: config.swarm },
            envFile: input.globals().envFile ?? '.env',
            log,
            now: io.now,
            sleep: io.sleep,
            lockWaitMs: 600_000,
          },
          { purpose: 'certkit daemon' },
        );
        return { result, intervalMs: config.checkIntervalMs };
      },
      describe: describeSwarmResult,
      log,
      now: io.now,
      random: Math.random,
      // A change to one of the stack's services cuts the sleep short (settled for two seconds).
      sleep: (ms, sleepSignal) => wakeup.wait(ms, sleepSignal),
    },
    signal,
  );
  await watching;
}

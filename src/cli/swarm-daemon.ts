import type { Config, SwarmConfig } from '../config/config.js';
import { CertkitError } from '../errors.js';
import type { Logger } from '../log.js';
import type { SwarmUpdateResult } from '../swarm/swarm-update.js';
import { loadProjectConfig, type GlobalOptions, type Io } from './context.js';

/**
 * `certkit daemon` on Swarm (CERTKIT_SWARM_STACK): `certkit update`'s reconcile at start, then every
 * CERTKIT_CHECK_INTERVAL with jitter, and soon after any of the stack's services is created, updated or removed
 * (a `docker stack deploy` again, an app's deploy.labels changed), so secrets a deploy dropped are put back within
 * seconds. Failures back off as on Compose: a site that fails alone backs off alone (runDaemon's SiteBackoff). It serves the Compose daemon's monitor (/metrics, /healthz, /problems,
 * alerts), fed from the replica report: which version each nginx replica mounts and presents, read at each look.
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
  const [
    localEngine,
    { createSwarmApi },
    { runSwarmUpdate },
    { runDaemon },
    { Wakeup },
    { describeSwarmResult },
    { startMonitoring },
    { swarmSources },
    { summariseSwarm },
    { inCertkitContainer },
  ] = await Promise.all([
    io.createEngine(io.env),
    import('../swarm/swarm-api.js'),
    import('../swarm/swarm-update.js'),
    import('../update/daemon.js'),
    import('../update/wakeup.js'),
    import('./format-swarm-result.js'),
    import('../monitoring/start-monitoring.js'),
    import('../monitoring/swarm-sources.js'),
    import('../monitoring/check-summary.js'),
    import('../stack/layout.js'),
  ]);
  const api = createSwarmApi(io.env);
  const envFile = input.globals().envFile ?? '.env';
  log.info(`certkit daemon for Swarm stack "${stack}" (${input.config.domains.join(', ')})`);
  // The configuration of the last check: the monitor reads the sites with it.
  let latest: Config = input.config;
  const monitoring = await startMonitoring<SwarmUpdateResult>({
    config: input.config.monitoring,
    engine: localEngine,
    project: stack,
    inContainer: inCertkitContainer(io.env),
    certName: input.config.certName,
    sources: swarmSources({ api, stack, config: () => latest, envFile, now: io.now }),
    summarise: (result) => summariseSwarm(result, latest.certName),
    log,
    now: io.now,
  });
  const engine = monitoring.engine;
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
      runCycle: async (waiting) => {
        const { config } = await loadProjectConfig(input.globals(), io, input.warned);
        latest = config;
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
            envFile,
            log,
            now: io.now,
            sleep: io.sleep,
            lockWaitMs: 600_000,
          },
          // A site backing off after its own failures waits (runDaemon keeps its schedule, as on Compose).
          { purpose: 'certkit daemon', waiting },
        );
        return { result, intervalMs: config.checkIntervalMs };
      },
      describe: describeSwarmResult,
      sites: (result) => result.sites,
      log,
      now: io.now,
      random: Math.random,
      // A change to one of the stack's services cuts the sleep short (settled for two seconds).
      sleep: (ms, sleepSignal) => wakeup.wait(ms, sleepSignal),
      observer: monitoring.observer,
    },
    signal,
  );
  await watching;
  await monitoring.close();
}

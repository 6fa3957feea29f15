import type { Command } from 'commander';
import type { Version } from '../../certbot/certbot-version.js';
import { connectStack, loadProjectConfig, type CommandContext } from '../context.js';

export function registerDaemon(program: Command, { io, globals, logger, signal }: CommandContext): void {
  program
    .command('daemon')
    .description(
      'Run the renewal loop (the certkit container does): check at start, then every CERTKIT_CHECK_INTERVAL with jitter; renew when due, reload nginx, back off on failure.',
    )
    .action(async () => {
      const log = logger({ timestamps: true });
      const stop = new AbortController();
      const onSignal = (): void => stop.abort();
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      signal?.addEventListener('abort', onSignal);
      const [
        { startMonitoring, composeSources },
        { findStack },
        { runDaemon },
        { runUpdate },
        { waitFor },
        { Wakeup },
        { watchSiteContainers },
        { sleepUntilRenderChanges },
        { readRenderedStamp },
      ] = await Promise.all([
        import('../../monitoring/start-monitoring.js'),
        import('../../stack/find-stack.js'),
        import('../../update/daemon.js'),
        import('../../update/update.js'),
        import('../../wait-for.js'),
        import('../../update/wakeup.js'),
        import('../../sites/watch-sites.js'),
        import('../../update/render-watch.js'),
        import('../../render/read-rendered-stamp.js'),
      ]);
      const warned = new Set<string>();
      const first = await loadProjectConfig(globals(), io, warned);
      if (first.config.swarm) {
        const { runSwarmDaemon } = await import('../swarm-daemon.js');
        await runSwarmDaemon({ io, globals, log, config: { ...first.config, swarm: first.config.swarm }, warned, signal: stop.signal });
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        return;
      }
      const connected = await connectStack(globals(), io, first.projectDir, first.envFileProject);
      const { project, self } = connected;
      log.info(`certkit daemon for Compose project "${project}" (${first.config.domains.join(', ')})`);
      const certbotVersions = new Map<string, Version>();
      const monitoring = await startMonitoring({
        config: first.config.monitoring,
        engine: connected.engine,
        project,
        inContainer: self !== undefined,
        certName: first.config.certName,
        sources: composeSources({ project, self, nginxService: first.config.nginx.service, now: io.now }),
        log,
        now: io.now,
      });
      const engine = monitoring.engine;
      // SIGTERM (docker stop) ends this wait too: the daemon stops at once, not after up to three minutes.
      await waitFor(
        async () => ({
          done:
            stop.signal.aborted ||
            (await findStack(engine, project, first.config.nginx.service).then(
              () => true,
              () => false,
            )),
          value: null,
        }),
        {
          timeoutMs: 180_000,
          intervalMs: 2_000,
          what: 'the nginx and certbot containers to run',
          now: io.now,
          sleep: (ms) => io.sleep(ms, stop.signal),
        },
      ).catch((error: unknown) => log.warn((error as Error).message));
      // A labelled container that starts or stops is a site to issue, serve or retire: a check runs at once.
      const sleepOrRender = (ms: number, sleepSignal: AbortSignal) =>
        sleepUntilRenderChanges(ms, sleepSignal, {
          sleep: io.sleep,
          now: io.now,
          pollMs: 30_000,
          readStamp: () => readRenderedStamp(first.projectDir),
        });
      // 200 ms after the last event: a `docker compose up` starts its services within that of each other (one sweep),
      // and a single container's site starts issuing at once.
      const wakeup = new Wakeup(sleepOrRender, 200);
      const watching = watchSiteContainers({
        engine,
        log,
        signal: stop.signal,
        sleep: io.sleep,
        onChange: (event) => {
          log.info(`container ${event.name} (labelled certkit.host): ${event.action}; checking the sites`);
          wakeup.wake();
        },
      });
      await runDaemon(
        {
          runCycle: async (waiting) => {
            const { config, projectDir } = await loadProjectConfig(globals(), io, warned);
            const reloadConfig = async () => (await loadProjectConfig(globals(), io, warned)).config;
            const context = {
              envFile: globals().envFile ?? '.env',
              engine,
              config,
              reloadConfig,
              project,
              projectDir,
              log,
              now: io.now,
              sleep: io.sleep,
              self,
              lockWaitMs: 600_000,
              certbotVersions,
            };
            // A site backing off after its own failures waits (runDaemon keeps its schedule), served as it is.
            // The .env site's own failure is in the result, not thrown: it backs off alone too (runDaemon).
            const result = await runUpdate(context, { purpose: 'certkit daemon', waiting, envFailureInResult: true });
            return { result, intervalMs: config.checkIntervalMs };
          },
          log,
          now: io.now,
          random: Math.random,
          // A rendering made meanwhile (certkit-init at `docker compose up -d`) is taken to nginx within half a minute;
          // a labelled container starting or stopping cuts the sleep short (Wakeup).
          sleep: (ms, sleepSignal) => wakeup.wait(ms, sleepSignal),
          observer: monitoring.observer,
        },
        stop.signal,
      );
      await watching;
      await monitoring.close();
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    });
}

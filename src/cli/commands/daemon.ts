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
      const [{ startMonitoring }, { findStack }, { runDaemon }, { runUpdate }, { waitFor }] = await Promise.all([
        import('../../monitoring/start-monitoring.js'),
        import('../../stack/find-stack.js'),
        import('../../update/daemon.js'),
        import('../../update/update.js'),
        import('../../wait-for.js'),
      ]);
      const warned = new Set<string>();
      const first = await loadProjectConfig(globals(), io, warned);
      const connected = await connectStack(globals(), io, first.projectDir, first.envFileProject);
      const { project, self } = connected;
      log.info(`certkit daemon for Compose project "${project}" (${first.config.domains.join(', ')})`);
      const certbotVersions = new Map<string, Version>();
      const monitoring = await startMonitoring({
        config: first.config.monitoring,
        engine: connected.engine,
        project,
        self,
        certName: first.config.certName,
        nginxService: first.config.nginx.service,
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
      await runDaemon(
        {
          runCycle: async () => {
            const { config, projectDir } = await loadProjectConfig(globals(), io, warned);
            const reloadConfig = async () => (await loadProjectConfig(globals(), io, warned)).config;
            const context = {
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
            const result = await runUpdate(context, { purpose: 'certkit daemon' });
            return { result, intervalMs: config.checkIntervalMs };
          },
          log,
          now: io.now,
          random: Math.random,
          sleep: io.sleep,
          observer: monitoring.observer,
        },
        stop.signal,
      );
      await monitoring.close();
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    });
}

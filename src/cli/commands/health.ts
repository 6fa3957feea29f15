import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';

/** `certkit health`: the certkit container's compose healthcheck (the image has node, not curl), and a host check. */
export function registerHealth(program: Command, { io, globals, setExit }: CommandContext): void {
  program
    .command('health')
    .description(
      "Ask the running daemon's /healthz whether its loop is alive and its last check recent: inside the certkit container on 127.0.0.1:CERTKIT_METRICS_PORT, on the host at the port this project's certkit container publishes (compose.metrics.yaml). Exit 0 healthy, 1 not: the certkit service's healthcheck (Compose and Swarm).",
    )
    .option('--url <url>', 'another /healthz to ask')
    .action(async (options: { url?: string }) => {
      const [{ loadMonitoringConfig }, { readEnvFile }, { probeHealth }] = await Promise.all([
        import('../../config/monitoring-config.js'),
        import('../../config/read-env-file.js'),
        import('../../health/probe-health.js'),
      ]);
      const projectDir = resolve(io.cwd, globals().projectDir ?? '.');
      const file = await readEnvFile(resolve(projectDir, globals().envFile ?? join(projectDir, '.env')));
      const { metricsPort } = loadMonitoringConfig({ env: io.env, file });
      // In the certkit container (the healthcheck, Compose or Swarm) the daemon is this container's, on loopback;
      // elsewhere ask Docker where this project's daemon is: on the host, 127.0.0.1:9464 may be another stack's.
      const { ownHealthUrl, daemonHealthUrl } = await import('../../health/health-url.js');
      const own = options.url ?? ownHealthUrl(io.env, metricsPort);
      const where =
        own !== undefined
          ? { url: own }
          : await (async () => {
              const { connectStack, loadProjectEnv } = await import('../context.js');
              const { swarm } = await loadProjectEnv(globals(), io);
              if (swarm) throw (await import('../compose-only.js')).composeOnlyOnSwarm('health', swarm.stack);
              const { engine, project, self } = await connectStack(globals(), io, projectDir, file?.values['COMPOSE_PROJECT_NAME']);
              const containers = await engine.listContainers({ project, service: 'certkit', all: true });
              const certkit = containers.find((container) => container.id === self?.id || container.running) ?? containers[0];
              return daemonHealthUrl({ project, metricsPort, certkit, self });
            })();
      const answer = 'url' in where ? await probeHealth(where.url, 5_000) : { healthy: false, text: `unhealthy: ${where.problem}` };
      io.stdout(`${answer.text}\n`);
      setExit(answer.healthy ? EXIT.ok : EXIT.failure);
    });
}

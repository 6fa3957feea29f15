import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';

/** `certkit health`: the certkit container's compose healthcheck (the image has node, not curl), and a host check. */
export function registerHealth(program: Command, { io, globals, setExit }: CommandContext): void {
  program
    .command('health')
    .description(
      "Ask the running daemon's /healthz whether its loop is alive and its last check recent: inside the certkit container on 127.0.0.1:CERTKIT_METRICS_PORT, on the host at the port this project's certkit container publishes (compose.metrics.yaml). Exit 0 healthy, 1 not: the certkit service's compose healthcheck.",
    )
    .option('--url <url>', 'another /healthz to ask')
    .action(async (options: { url?: string }) => {
      const [{ loadMonitoringConfig }, { readEnvFile }, { probeHealth }, { existsSync }] = await Promise.all([
        import('../../config/monitoring-config.js'),
        import('../../config/read-env-file.js'),
        import('../../health/probe-health.js'),
        import('node:fs'),
      ]);
      const projectDir = resolve(io.cwd, globals().projectDir ?? '.');
      const file = await readEnvFile(resolve(projectDir, globals().envFile ?? join(projectDir, '.env')));
      const { metricsPort } = loadMonitoringConfig({ env: io.env, file });
      // Inside a container (the healthcheck), the daemon is this container's; on the host, ask Docker which port this
      // project's daemon publishes: 127.0.0.1:9464 there may be another stack's.
      const where =
        options.url !== undefined
          ? { url: options.url }
          : existsSync('/.dockerenv')
            ? { url: `http://127.0.0.1:${metricsPort}/healthz` }
            : await (async () => {
                const [{ connectStack }, { hostHealthUrl }] = await Promise.all([
                  import('../context.js'),
                  import('../../health/health-url.js'),
                ]);
                const { engine, project } = await connectStack(globals(), io, projectDir, file?.values['COMPOSE_PROJECT_NAME']);
                const containers = await engine.listContainers({ project, service: 'certkit', all: true });
                return hostHealthUrl({ project, metricsPort, certkit: containers.find((c) => c.running) ?? containers[0] });
              })();
      const answer = 'url' in where ? await probeHealth(where.url, 5_000) : { healthy: false, text: `unhealthy: ${where.problem}` };
      io.stdout(`${answer.text}\n`);
      setExit(answer.healthy ? EXIT.ok : EXIT.failure);
    });
}

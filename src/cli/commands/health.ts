import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';

/** `certkit health`: the certkit container's compose healthcheck (the image has node, not curl). */
export function registerHealth(program: Command, { io, globals, setExit }: CommandContext): void {
  program
    .command('health')
    .description(
      "Ask the running daemon's /healthz (on 127.0.0.1:CERTKIT_METRICS_PORT) whether its loop is alive and its last check recent. Exit 0 healthy, 1 not: the certkit service's compose healthcheck.",
    )
    .option('--url <url>', 'another /healthz to ask (default http://127.0.0.1:CERTKIT_METRICS_PORT/healthz)')
    .action(async (options: { url?: string }) => {
      const [{ loadMonitoringConfig }, { readEnvFile }, { probeHealth }] = await Promise.all([
        import('../../config/monitoring-config.js'),
        import('../../config/read-env-file.js'),
        import('../../health/probe-health.js'),
      ]);
      const projectDir = resolve(io.cwd, globals().projectDir ?? '.');
      const file = await readEnvFile(resolve(projectDir, globals().envFile ?? join(projectDir, '.env')));
      const url = options.url ?? `http://127.0.0.1:${loadMonitoringConfig({ env: io.env, file }).metricsPort}/healthz`;
      const answer = await probeHealth(url, 5_000);
      io.stdout(`${answer.text}\n`);
      setExit(answer.healthy ? EXIT.ok : EXIT.failure);
    });
}

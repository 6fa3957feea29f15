import type { ServiceContainer } from '../docker/engine.js';
import { chooseProbeTarget } from '../nginx/probe-target.js';

/**
 * Where this stack's daemon answers /healthz, seen from the host: the port its certkit container publishes for
 * CERTKIT_METRICS_PORT (compose.metrics.yaml; CERTKIT_METRICS_HOST_PORT may differ from it). Never a fixed
 * 127.0.0.1:PORT: that may be another stack's daemon. A problem, not a guess, when the container is missing, stopped
 * or publishes nothing. Pure.
 */
export function hostHealthUrl(input: {
  project: string;
  metricsPort: number;
  certkit: ServiceContainer | undefined;
}): { url: string } | { problem: string } {
  const { certkit } = input;
  if (!certkit) {
    return {
      problem: `no certkit container in Compose project "${input.project}": start it with \`docker compose --profile certbot up -d\``,
    };
  }
  if (!certkit.running) return { problem: `the certkit container (${certkit.name}) is ${certkit.state}: its renewal loop does not run` };
  const published = certkit.ports.some((port) => port.containerPort === input.metricsPort && port.hostPort > 0);
  const target = published ? chooseProbeTarget(certkit, undefined, input.metricsPort) : undefined;
  if (!target) {
    return {
      problem:
        `the certkit container (${certkit.name}) publishes no port for CERTKIT_METRICS_PORT (${input.metricsPort}) on this host: ` +
        'add compose.metrics.yaml (COMPOSE_FILE=docker-compose.yaml:compose.metrics.yaml in .env) and `docker compose up -d`, or pass --url',
    };
  }
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return { url: `http://${host}:${target.port}/healthz` };
}

import type { ServiceContainer } from '../docker/engine.js';
import { chooseProbeTarget } from '../nginx/probe-target.js';
import { CONTAINER_SIGNAL } from '../stack/layout.js';

/**
 * In the daemon's own container (CERTKIT_CONTAINER=certkit, on Compose and on Swarm) its /healthz is on loopback: the
 * container's healthcheck asks it there without asking Docker, so a slow or stopped socket proxy does not make a
 * live daemon unhealthy (and restarted). Undefined elsewhere. Pure.
 */
export function ownHealthUrl(env: NodeJS.ProcessEnv, metricsPort: number): string | undefined {
  return env[CONTAINER_SIGNAL]?.trim() === 'certkit' ? `http://127.0.0.1:${metricsPort}/healthz` : undefined;
}

/**
 * Where this stack's daemon answers /healthz: in its own container, on loopback; from another container of the
 * stack, at its address on a shared network; from the host, at the port its certkit container publishes for
 * CERTKIT_METRICS_PORT (compose.metrics.yaml; CERTKIT_METRICS_HOST_PORT may differ from it). Never a fixed
 * 127.0.0.1:PORT on the host: that may be another stack's daemon. A problem, not a guess, when the container is
 * missing, stopped or cannot be reached. Pure.
 */
export function daemonHealthUrl(input: {
  project: string;
  metricsPort: number;
  certkit: ServiceContainer | undefined;
  /** The container this runs in, when it is one of the stack's. */
  self: ServiceContainer | undefined;
}): { url: string } | { problem: string } {
  const { certkit, self } = input;
  if (!certkit) {
    return {
      problem: `no certkit container in Compose project "${input.project}": start it with \`docker compose --profile certbot up -d\``,
    };
  }
  if (!certkit.running) return { problem: `the certkit container (${certkit.name}) is ${certkit.state}: its renewal loop does not run` };
  if (self?.id === certkit.id) return { url: `http://127.0.0.1:${input.metricsPort}/healthz` };
  const published = self !== undefined || certkit.ports.some((port) => port.containerPort === input.metricsPort && port.hostPort > 0);
  const target = published ? chooseProbeTarget(certkit, self, input.metricsPort) : undefined;
  if (!target) {
    return {
      problem: self
        ? `the certkit container (${certkit.name}) shares no network with this container (${self.name})`
        : `the certkit container (${certkit.name}) publishes no port for CERTKIT_METRICS_PORT (${input.metricsPort}) on this host: ` +
          'add compose.metrics.yaml (COMPOSE_FILE=docker-compose.yaml:compose.metrics.yaml in .env) and `docker compose up -d`, or pass --url',
    };
  }
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return { url: `http://${host}:${target.port}/healthz` };
}

import { CertkitError, isCertkitError } from '../errors.js';
import type { ServiceContainer } from './engine.js';

/**
 * The engine answers an attached exec with 101 and a raw two-way stream. A proxy that drops the upgrade (HAProxy before
 * 3.1 does, for a request with a body: its issue 2684) lets the engine's answer through as a plain response, and the
 * end of stdin never reaches the process: a run lock would be held for as long as the proxy keeps the connection.
 */
export function notUpgraded(endpoint: string, stream: NodeJS.ReadWriteStream): CertkitError {
  (stream as unknown as { destroy?: () => void }).destroy?.();
  return new CertkitError(
    'DOCKER_FAILED',
    `the Docker API at ${endpoint} did not switch an exec's connection to a two-way stream (HTTP 101), so certkit cannot hold its run lock. ` +
      'A proxy in between drops the upgrade: HAProxy before 3.1 does. Use haproxy 3.1 or later (CERTKIT_PROXY_IMAGE; the default is pinned), ' +
      'then `docker compose up -d` (restarting the proxy also ends the exec left waiting).',
  );
}

/** The socket proxy refused a call (403): its rules are not this project's, or certkit made a call not on its list. */
export function refusedByProxy(endpoint: string, what: string, said: string, cause: unknown): CertkitError {
  return new CertkitError(
    'DOCKER_FAILED',
    `the Docker API at ${endpoint} refused to ${what} (HTTP 403: ${said}). Through certkit's socket proxy only the calls in docs/docker-access.md pass, ` +
      "on this Compose project's containers: after changing COMPOSE_PROJECT_NAME or CERTKIT_NGINX_SERVICE, run `docker compose up -d` (certkit-init renders " +
      'docker-proxy/haproxy.cfg again), then `docker compose restart docker-proxy`.',
    { cause },
  );
}

/** The proxy answered for an engine it cannot reach (HAProxy's 502/503): say so, not that Docker refused. */
export function proxyLostEngine(endpoint: string, what: string, said: string, cause: unknown): CertkitError {
  return new CertkitError(
    'DOCKER_UNREACHABLE',
    `the socket proxy at ${endpoint} cannot reach Docker to ${what} (${said}). Check that dockerd runs (\`docker info\`) and that ` +
      "CERTKIT_DOCKER_SOCKET is the engine's socket, then `docker compose restart docker-proxy`.",
    { cause },
  );
}

/** A container of the stack stopped (or went away) under certkit: say which, and how to bring it back. */
export function stoppedError(
  container: ServiceContainer | undefined,
  containerId: string,
  what: string,
  said: string,
  cause: unknown,
): CertkitError {
  const service = container?.service;
  const name = container?.name ?? containerId.slice(0, 12);
  const label = service ? `the ${service} container (${name})` : `container ${name}`;
  const start = container
    ? `start it with \`docker compose${service === 'certbot' ? ' --profile certbot' : ''} up -d${service ? ` ${service}` : ''}\` (or \`docker start ${name}\`)`
    : `recreate it with \`docker compose --profile certbot up -d\``;
  return new CertkitError(
    'CONTAINER_NOT_RUNNING',
    `${label} stopped while certkit was running (could not ${what}: ${said}). Nothing already issued or served is lost: ${start} and rerun the command.`,
    { cause },
  );
}

export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

export function dockerMessage(error: unknown): string {
  const json = (error as { json?: { message?: unknown } } | undefined)?.json;
  const text = typeof json?.message === 'string' ? json.message : error instanceof Error ? error.message : String(error);
  // A proxy's own answers are HTML pages: their text is what is worth saying.
  return text
    .replace(/^\(HTTP code \d+\)\s*(?:unexpected - )?/, '')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function connectionHint(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES') return 'permission denied: run as root or as a member of the docker group';
  if (code === 'ENOENT' || code === 'ECONNREFUSED') return 'no engine answers there: is Docker installed and dockerd running?';
  return error instanceof Error ? error.message : String(error);
}

/** What an engine call was doing when it failed: enough to word the error and to look at its container. */
export interface FailedCall {
  endpoint: string;
  what: string;
  containerId: string | undefined;
  inspect: (containerId: string) => Promise<ServiceContainer | undefined>;
}

/** Any failure of an engine call, as the certkit error the user sees: what failed, what Docker said, and the fix. */
export async function toEngineError(error: unknown, call: FailedCall): Promise<CertkitError> {
  const { endpoint, what, containerId } = call;
  if (isCertkitError(error)) return error;
  const status = statusOf(error);
  const said = dockerMessage(error);
  if (status === undefined) {
    return new CertkitError(
      'DOCKER_UNREACHABLE',
      `lost Docker at ${endpoint} while trying to ${what} (${connectionHint(error)}). Check that dockerd runs (\`docker info\`), then rerun.`,
      { cause: error },
    );
  }
  // dockerode words every 404 of an archive call as "no such container"; Docker's own text tells a missing path apart.
  if (status === 404 && /could not find the file|no such file/i.test(said))
    return new CertkitError('NOT_FOUND', `could not ${what}: Docker says ${said}`, { cause: error });
  if (containerId !== undefined && (status === 409 || (status === 404 && /no such container/i.test(said)))) {
    const container = await call.inspect(containerId).catch(() => undefined);
    return stoppedError(container, containerId, what, said, error);
  }
  if (status === 404) return new CertkitError('NOT_FOUND', `could not ${what}: Docker says ${said}`, { cause: error });
  if (status === 403) return refusedByProxy(endpoint, what, said, error);
  if (status === 502 || status === 503) return proxyLostEngine(endpoint, what, said, error);
  return new CertkitError(
    'DOCKER_FAILED',
    `Docker refused to ${what} (HTTP ${status}: ${said}). Check \`docker info\` and \`docker compose ps\`, then rerun.`,
    { cause: error },
  );
}

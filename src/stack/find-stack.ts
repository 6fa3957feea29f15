import { hostname } from 'node:os';
import { CertkitError } from '../errors.js';
import type { Engine, ServiceContainer } from '../docker/engine.js';
import { normalizeProjectName } from './compose-project.js';
import { CONTAINER_SIGNAL, inCertkitContainer } from './layout.js';

export const SERVICES = { nginx: 'nginx', certbot: 'certbot', certkit: 'certkit' } as const;

export interface Stack {
  project: string;
  nginx: ServiceContainer;
  certbot: ServiceContainer;
}

/**
 * The stack's running nginx and certbot containers, found by their compose labels. The nginx service is certkit's own
 * or the app's (CERTKIT_NGINX_SERVICE): every caller passes it, so none can look for `nginx` in an app that renamed it.
 */
export async function findStack(engine: Engine, project: string, nginxService: string): Promise<Stack> {
  // One list per service: through the socket proxy certkit may list and inspect these services only, never the app's.
  const containers = (
    await Promise.all([nginxService, SERVICES.certbot].map((service) => engine.listContainers({ project, service, all: true })))
  ).flat();
  const pick = (service: string): ServiceContainer | undefined =>
    containers.find((container) => container.service === service && container.running) ??
    containers.find((container) => container.service === service);
  const nginx = pick(nginxService);
  const certbot = pick(SERVICES.certbot);
  const missing = [
    ...(nginx?.running ? [] : [describeMissing(nginxService, nginx)]),
    ...(certbot?.running ? [] : [describeMissing(SERVICES.certbot, certbot)]),
  ];
  if (!nginx || !certbot || missing.length > 0) {
    const none = containers.length === 0 ? ` No container of Compose project "${project}" exists.` : '';
    throw new CertkitError(
      'STACK_NOT_RUNNING',
      `The stack is not running: ${missing.join('; ')}.${none} Start it with \`docker compose --profile certbot up -d\` in the project folder` +
        ` (or pass --project-name if it runs under another Compose project name).`,
    );
  }
  return { project, nginx, certbot };
}

function describeMissing(service: string, container: ServiceContainer | undefined): string {
  return container ? `${service} is ${container.state}` : `no ${service} container`;
}

/**
 * When certkit runs inside a container of the stack, its own container (its id begins with the hostname), else
 * undefined. The compose files give certkit its project's name (COMPOSE_PROJECT_NAME) and its service's
 * (CERTKIT_CONTAINER): through the socket proxy certkit lists this project's containers only, and inspects none by id.
 * Without the project's name (Compose v1 left it out), the container is inspected by hostname, which only a directly
 * mounted socket allows.
 */
export async function findSelf(engine: Engine, env: NodeJS.ProcessEnv): Promise<ServiceContainer | undefined> {
  if (!inCertkitContainer(env)) return undefined;
  const host = hostname();
  const project = normalizeProjectName(env['COMPOSE_PROJECT_NAME'] ?? '');
  const service = (env[CONTAINER_SIGNAL] ?? '').trim();
  const self =
    project !== ''
      ? (await engine.listContainers({ project, service, all: true }).catch(() => [])).find((container) => container.id.startsWith(host))
      : await engine.inspectContainer(host).catch(() => undefined);
  return self?.project ? self : undefined;
}

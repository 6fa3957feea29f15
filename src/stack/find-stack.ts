import { hostname } from 'node:os';
import { CertkitError } from '../errors.js';
import type { Engine, ServiceContainer } from '../docker/engine.js';
import { inCertkitContainer } from './layout.js';

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
  const containers = await engine.listContainers({ project, all: true });
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

/** When certkit runs inside a container of the stack, its own container (found by hostname), else undefined. */
export async function findSelf(engine: Engine, env: NodeJS.ProcessEnv): Promise<ServiceContainer | undefined> {
  if (!inCertkitContainer(env)) return undefined;
  const self = await engine.inspectContainer(hostname()).catch(() => undefined);
  return self?.project ? self : undefined;
}

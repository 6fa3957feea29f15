import { CertkitError } from '../errors.js';
import type { AllowlistScope } from '../docker/api-allowlist.js';
import type { GlobalOptions, Io } from './context.js';

/**
 * The scope the socket proxy's configuration is rendered for: this Compose project and its nginx service. In
 * certkit-init the project's name comes from COMPOSE_PROJECT_NAME, which the compose files pass in (Compose v2 always
 * knows it; v1 only when it is set in .env or the shell): the folder is /project there, not the project's. Unknown
 * while certkit reaches the socket directly (DOCKER_HOST unix://, compose.docker-socket.yaml): a proxy that refuses all.
 */
export async function dockerProxyScopeFor(
  options: GlobalOptions,
  io: Io,
  input: { projectDir: string; envFileProject: string | undefined; nginxService: string },
): Promise<AllowlistScope | undefined> {
  const [{ resolveProjectName }, { inCertkitContainer }, { dockerProxyScope }] = await Promise.all([
    import('../stack/compose-project.js'),
    import('../stack/layout.js'),
    import('../render/render-docker-proxy.js'),
  ]);
  const resolved = resolveProjectName({
    explicit: options.projectName,
    env: io.env,
    envFileValue: input.envFileProject,
    projectDir: inCertkitContainer(io.env) ? '' : input.projectDir,
  });
  if (resolved) return dockerProxyScope(resolved.name, input.nginxService);
  if ((io.env['DOCKER_HOST'] ?? '').startsWith('unix://')) return undefined;
  throw new CertkitError(
    'CONFIG_INVALID',
    "Invalid configuration:\n  COMPOSE_PROJECT_NAME is not set, and certkit's socket proxy must name this project's containers: " +
      'Compose v1 (docker-compose) does not tell the services their project name. Set COMPOSE_PROJECT_NAME in .env ' +
      '(the name `docker-compose ps` shows before each container), or use Compose v2 (`docker compose`).',
  );
}

import { join } from 'node:path';
import { buildAllowlist, EXEC_BODY_LIMIT, type AllowlistScope, type AllowRule } from '../docker/api-allowlist.js';
import { buildSwarmAllowlist, type SwarmAllowlistScope } from '../docker/swarm-allowlist.js';
import { LABEL_CONFIG } from '../swarm/serving-plan.js';
import { LABEL_NOT_AFTER, LABEL_SERIAL, LABEL_SITE, LABEL_STACK } from '../swarm/secret-name.js';
import { SERVICES } from '../stack/find-stack.js';
import { ARI_CACHE_DIR, CONTAINER_PATHS } from '../stack/layout.js';
import { HOST_LABEL } from '../sites/site-labels.js';
import { createRenderer, readTemplate, renderOne, writeRenderedFiles, type RenderedFile } from './render-templates.js';

export const DOCKER_PROXY_TEMPLATE = 'docker-proxy/haproxy.cfg.hbs';
/** Mounted read-only into the docker-proxy service (the compose files). */
export const DOCKER_PROXY_CONFIG = 'docker-proxy/haproxy.cfg';
/** A Swarm stack's: compose.swarm.yaml gives it to its docker-proxy service as a Swarm config. */
export const SWARM_DOCKER_PROXY_CONFIG = 'swarm/docker-proxy.cfg';
/** Where certkit's containers reach the proxy (DOCKER_HOST in the compose files). */
export const DOCKER_PROXY_PORT = 2375;

/** What certkit reaches through the proxy in this project: the one scope the rendering and the unit test share. */
export function dockerProxyScope(project: string, nginxService: string): AllowlistScope {
  return {
    project,
    nginxService,
    certbotService: SERVICES.certbot,
    // certkit's own container (findSelf, `certkit health`) and the pebble profile's CA (CERTBOT_SERVER=pebble).
    inspectedServices: [SERVICES.certkit, 'pebble'],
    sitesLabel: HOST_LABEL,
    archiveReads: [CONTAINER_PATHS.letsencrypt, CONTAINER_PATHS.deploy],
    // ARI_CACHE_DIR: the CA's renewal windows kept between sweeps (src/certbot/ari-cache.ts).
    archiveWrites: [CONTAINER_PATHS.letsencrypt, ARI_CACHE_DIR],
    lineageReads: [CONTAINER_PATHS.deploy],
  };
}

/** What certkit reaches through the proxy on a Swarm stack: its services, tasks and certkit's secret and config versions. */
export function swarmDockerProxyScope(stack: string, nginxService: string): SwarmAllowlistScope {
  return {
    stack,
    nginxService,
    certbotService: SERVICES.certbot,
    stackLabel: LABEL_STACK,
    labels: [LABEL_SITE, LABEL_SERIAL, LABEL_NOT_AFTER, LABEL_CONFIG],
    // compose.swarm.yaml's `name: certkit-nginx-conf-${CERTKIT_SWARM_CONF_VERSION}`.
    stackFileConfigs: ['certkit-nginx-conf-'],
  };
}

/**
 * The proxy's configuration for this scope. `scope` undefined (the project's name unknown while certkit reaches the
 * socket directly) renders a proxy that refuses everything.
 */
export async function renderDockerProxy(templatesDir: string, scope: AllowlistScope | undefined): Promise<RenderedFile> {
  const project = scope?.project ?? '(unknown: every call refused)';
  return renderProxyConfig(templatesDir, DOCKER_PROXY_CONFIG, {
    scope: `Compose project ${project}`,
    unit: 'project',
    allowlist: 'src/docker/api-allowlist.ts',
    nginxService: scope?.nginxService ?? 'nginx',
    rules: scope ? buildAllowlist(scope) : [],
  });
}

/** The proxy's configuration for a Swarm stack (`certkit render` with CERTKIT_SWARM_STACK): swarm/docker-proxy.cfg. */
export async function renderSwarmDockerProxy(templatesDir: string, scope: SwarmAllowlistScope): Promise<RenderedFile> {
  return renderProxyConfig(templatesDir, SWARM_DOCKER_PROXY_CONFIG, {
    scope: `Swarm stack ${scope.stack}`,
    unit: 'stack',
    allowlist: 'src/docker/swarm-allowlist.ts',
    nginxService: scope.nginxService,
    rules: buildSwarmAllowlist(scope),
  });
}

async function renderProxyConfig(
  templatesDir: string,
  output: string,
  values: { scope: string; unit: string; allowlist: string; nginxService: string; rules: AllowRule[] },
): Promise<RenderedFile> {
  const source = await readTemplate(join(templatesDir, DOCKER_PROXY_TEMPLATE), DOCKER_PROXY_TEMPLATE);
  const context = {
    ...values,
    // The 403's body: what was refused, and by which rendering (a stack or project renamed since shows here).
    refusal: `certkit docker-proxy (${values.scope}) refused %[method] %[url]`,
    port: DOCKER_PROXY_PORT,
    socket: '/var/run/docker.sock',
    // The buffer holds the whole exec body and HAProxy's headroom for rewriting headers.
    bufsize: EXEC_BODY_LIMIT + 16 * 1024,
    bodyLimit: EXEC_BODY_LIMIT,
  };
  return {
    output,
    content: renderOne(createRenderer(), DOCKER_PROXY_TEMPLATE, source, context),
    executable: false,
    service: 'docker-proxy',
    role: 'proxy-config',
  };
}

/** Renders and writes docker-proxy/haproxy.cfg; the outputs that changed. */
export async function writeDockerProxy(projectDir: string, templatesDir: string, scope: AllowlistScope | undefined): Promise<string[]> {
  return writeRenderedFiles(projectDir, [await renderDockerProxy(templatesDir, scope)]);
}

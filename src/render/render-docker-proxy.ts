import { join } from 'node:path';
import { buildAllowlist, EXEC_BODY_LIMIT, type AllowlistScope } from '../docker/api-allowlist.js';
import { SERVICES } from '../stack/find-stack.js';
import { ARI_CACHE_DIR, CONTAINER_PATHS } from '../stack/layout.js';
import { HOST_LABEL } from '../sites/site-labels.js';
import { createRenderer, readTemplate, renderOne, writeRenderedFiles, type RenderedFile } from './render-templates.js';

export const DOCKER_PROXY_TEMPLATE = 'docker-proxy/haproxy.cfg.hbs';
/** Mounted read-only into the docker-proxy service (the compose files). */
export const DOCKER_PROXY_CONFIG = 'docker-proxy/haproxy.cfg';
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

/**
 * The proxy's configuration for this scope. `scope` undefined (the project's name unknown while certkit reaches the
 * socket directly) renders a proxy that refuses everything.
 */
export async function renderDockerProxy(templatesDir: string, scope: AllowlistScope | undefined): Promise<RenderedFile> {
  const source = await readTemplate(join(templatesDir, DOCKER_PROXY_TEMPLATE), DOCKER_PROXY_TEMPLATE);
  const context = {
    project: scope?.project ?? '(unknown: every call refused)',
    nginxService: scope?.nginxService ?? 'nginx',
    rules: scope ? buildAllowlist(scope) : [],
    port: DOCKER_PROXY_PORT,
    socket: '/var/run/docker.sock',
    // The buffer holds the whole exec body and HAProxy's headroom for rewriting headers.
    bufsize: EXEC_BODY_LIMIT + 16 * 1024,
  };
  return {
    output: DOCKER_PROXY_CONFIG,
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

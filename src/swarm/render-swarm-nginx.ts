import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import { createRenderer, readTemplate, renderOne } from '../render/render-templates.js';
import type { Site } from '../sites/site.js';
import { secretTarget } from './secret-name.js';

/** Where the nginx replicas send the ACME challenge: the acme-responder service of compose.swarm.yaml. */
export const ACME_RESPONDER = 'http://acme-responder:8080';
export const SWARM_NGINX_TEMPLATE = 'swarm/nginx.conf.hbs';

/**
 * nginx.conf for every nginx task of a Swarm stack: a server per site, its certificate read from the secret's stable
 * target (so a renewal never changes this file), the ACME challenge proxied to the one place certbot writes tokens.
 */
export async function renderSwarmNginx(
  sites: readonly Site[],
  options: { templatesDir?: string; acmeUpstream?: string } = {},
): Promise<string> {
  const templatesDir = options.templatesDir ?? join(packageRoot(), 'templates');
  const source = await readTemplate(join(templatesDir, SWARM_NGINX_TEMPLATE), SWARM_NGINX_TEMPLATE);
  const context = {
    acmeUpstream: options.acmeUpstream ?? ACME_RESPONDER,
    sites: sites.map((site) => ({
      id: site.id,
      // Checked here: the entrypoint finds the secret by this id.
      target: secretTarget(site.id),
      names: site.names.join(' '),
      routes: site.routes,
      hasRootRoute: site.routes.some((route) => route.path === '/'),
    })),
  };
  return renderOne(createRenderer(), SWARM_NGINX_TEMPLATE, source, context);
}

import { join } from 'node:path';
import type { Config } from '../config/config.js';
import { canonicalIp } from '../config/ip-address.js';
import { configForSite } from '../sites/env-site.js';
import type { Site } from '../sites/site.js';
import { deployDirFor, NGINX_SITE_TLS_DIR } from '../stack/layout.js';
import { buildRenderContext } from './render-context.js';
import { createRenderer, readTemplate, registerPartials, renderOne, type RenderedFile } from './render-templates.js';

/** The folder of the mounted nginx/ that holds one HTTP and one HTTPS file per site beyond the .env one. */
export const SITES_FOLDER = 'nginx/sites';
export const DEFAULT_SERVER_FILE = 'nginx/default-server.conf';

/**
 * The nginx files of the sites beyond the .env one: the same two templates as the .env site, with each site's
 * names, routing and certificate; and, when there are such sites, the default server for names of none. The .env
 * site stays nginx's default server only when it holds an IP address (clients send no name for an address).
 */
export async function renderSiteFiles(
  templatesDir: string,
  config: Config,
  sites: readonly Site[],
  /** Sites no longer declared but still served: the default server stays for them. */
  othersRetained = false,
): Promise<RenderedFile[]> {
  if (sites.length === 0 && !othersRetained) return [];
  const handlebars = createRenderer();
  await registerPartials(handlebars, templatesDir);
  const [http, https, fallback] = await Promise.all(
    ['nginx/site-http.conf.hbs', 'nginx/site-https.conf.hbs', 'nginx/default-server.conf.hbs'].map(async (template) => ({
      template,
      source: await readTemplate(join(templatesDir, template), template),
    })),
  );
  // With a default server for names of no site, default-server.conf also holds what the other sites share: plain HTTP
  // for those linked to HTTPS (one port-80 server for all) and the proxy settings (once, at http level); else (the
  // .env site is the default server) each site's files keep their own.
  const sharedHttp = fallback !== undefined && !envSiteIsDefault(config, sites.length + (othersRetained ? 1 : 0));
  const files: RenderedFile[] = [];
  const file = (output: string, content: string): RenderedFile => ({ output, content, executable: false, service: 'nginx', role: 'site' });
  for (const site of sites) {
    const context = buildRenderContext(configForSite(config, site));
    const nginx = context.nginx as Record<string, unknown>;
    const siteContext = {
      ...context,
      nginx: {
        ...nginx,
        isDefault: false,
        serverNamesHash: false,
        tlsCurrent: `${deployDirFor(site.certName)}/tls/current.pem`,
        siteTls: `${NGINX_SITE_TLS_DIR}/${site.id}.conf`,
        ownHttpServer: !sharedHttp,
        ownProxySettings: !sharedHttp,
      },
    };
    for (const [template, kind] of [
      [http, 'http'],
      [https, 'https'],
    ] as const) {
      if (template)
        files.push(file(`${SITES_FOLDER}/${site.id}.${kind}.conf`, renderOne(handlebars, template.template, template.source, siteContext)));
    }
  }
  if (fallback && sharedHttp) {
    files.push(file(DEFAULT_SERVER_FILE, renderOne(handlebars, fallback.template, fallback.source, buildRenderContext(config))));
  }
  return files;
}

/** The .env site is nginx's default server when it is alone, or when it holds an IP address. */
export function envSiteIsDefault(config: Config, otherSites: number): boolean {
  return otherSites === 0 || config.domains.some((name) => canonicalIp(name) !== undefined);
}

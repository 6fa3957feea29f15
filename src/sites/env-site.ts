import type { Config } from '../config/config.js';
import type { Site } from './site.js';
import type { SiteDefaults } from './validate-site.js';

/**
 * The site `.env` declares (CERTBOT_DOMAIN and the NGINX_* routing): every stack has it, with the lineage it always
 * had (CERTBOT_CERT_NAME, or the first name), so a stack that predates sites keeps its certificate.
 */
export function envSite(config: Config, envFile: string | undefined): Site {
  return {
    id: config.certName,
    certName: config.certName,
    names: config.domains,
    routes: config.nginx.routes,
    challenge: config.challenge,
    profile: config.profile,
    keyType: config.keyType,
    sources: [{ kind: 'env', file: envFile }],
  };
}

/** What the other sites take from `.env` when they do not say. */
export function siteDefaults(config: Config): SiteDefaults {
  return {
    keyType: config.keyType,
    profile: config.profile,
    dns: config.challenge.type === 'dns' ? config.challenge : undefined,
  };
}

/**
 * The stack's Config as this site sees it: `.env`'s global settings with the site's names, lineage, challenge,
 * profile, key type and routing. The one-certificate planning (planCertbotRun, renewal rules) runs on it unchanged.
 */
export function configForSite(config: Config, site: Site): Config {
  return {
    ...config,
    domains: site.names,
    certName: site.certName,
    challenge: site.challenge,
    profile: site.profile,
    keyType: site.keyType,
    nginx: {
      ...config.nginx,
      serverNames: site.names,
      upstream: site.routes.find((route) => route.path === '/')?.upstream,
      routes: site.routes,
    },
  };
}

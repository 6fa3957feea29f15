import type { SiteSource } from './site.js';

/**
 * The settings a site may have. Labels spell them `certkit.<setting>` (`certkit.host`), the sites file
 * `<setting>:` under the site's name; the meaning is the same wherever they are written.
 */
export const SITE_SETTINGS = {
  host: 'the names on the certificate, comma-separated (example.com,www.example.com)',
  site: "the site's name: services with the same name make one site, one route each (labels only)",
  port: 'the port of the container nginx sends requests to (labels only; default: the one port it exposes)',
  scheme: 'http or https: how nginx talks to the container (labels only; default http)',
  path: 'the path prefix this service serves within the site (labels only; default /)',
  upstream: 'where nginx sends every request, http://host:port (sites file only)',
  routes: 'path=target pairs, comma-separated, like /api=http://10.0.0.5:5001,/=http://10.0.0.5:3000 (sites file only)',
  challenge: 'http (HTTP-01 through nginx, the default) or dns (DNS-01 with the plugin and credentials .env sets)',
  profile: "the ACME profile to ask for (classic, tlsserver, shortlived; default: .env's CERTBOT_PROFILE)",
  'key-type': "ecdsa-p256, ecdsa-p384, rsa-2048, rsa-3072 or rsa-4096 (default: .env's CERTBOT_KEY_TYPE)",
  enable: 'false leaves this service out (labels only; default true)',
  stack:
    'the Compose project of the certkit stack that serves this service, when several certkit stacks share one engine (labels only; default: any)',
} as const;

export type SiteSetting = keyof typeof SITE_SETTINGS;

/** A setting as the user wrote it: the full key (for messages) and the value, untouched. */
export interface WrittenSetting {
  key: string;
  value: string;
}

/**
 * One declaration as found, before validation: the site it is for, where it was written and its settings. A
 * container with labels is one declaration; so is one entry of the sites file.
 */
export interface SiteDeclaration {
  /** The site's name as written (label `certkit.site`, the file's key), else the one derived from the source. */
  site: WrittenSetting;
  source: SiteSource;
  settings: Partial<Record<SiteSetting, WrittenSetting>>;
  /** For a label declaration: the container's name and the ports it exposes, to build its upstream. */
  container?: { name: string; exposedPorts: number[] };
}

export function isSiteSetting(name: string): name is SiteSetting {
  return Object.hasOwn(SITE_SETTINGS, name);
}

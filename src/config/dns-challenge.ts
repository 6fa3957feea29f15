import { isAbsolute, relative, resolve } from 'node:path';
import { closestName } from './closest-name.js';

/** How the CA validates the names: HTTP-01 through nginx's webroot, or DNS-01 through a certbot DNS plugin. */
export type Challenge = { type: 'http' } | DnsChallenge;

export interface DnsChallenge {
  type: 'dns';
  /** The plugin's name without `dns-` (cloudflare, route53, rfc2136, ...); certbot's authenticator is `dns-<plugin>`. */
  plugin: string;
  /** CERTBOT_DNS_CREDENTIALS as written: a file on the host, mounted read-only into the certbot container alone. */
  credentials: string | undefined;
  /** Seconds certbot waits for the TXT record to reach every authoritative server; undefined keeps the plugin's default. */
  propagationSeconds: number | undefined;
}

/** The certbot release the compose file's certbot image pins; the official DNS images are published at the same tag. */
export const PINNED_CERTBOT_TAG = 'v5.1.0';

/**
 * The DNS plugins certbot publishes as images (`certbot/dns-<name>`), and how each reads its credentials: an ini
 * file, or (route53) the AWS variables, which docker-compose.yaml passes to the certbot container alone.
 */
export const OFFICIAL_DNS_PLUGINS: Readonly<Record<string, 'file' | 'aws'>> = {
  cloudflare: 'file',
  digitalocean: 'file',
  dnsimple: 'file',
  dnsmadeeasy: 'file',
  gehirn: 'file',
  google: 'file',
  linode: 'file',
  luadns: 'file',
  nsone: 'file',
  ovh: 'file',
  rfc2136: 'file',
  route53: 'aws',
  sakuracloud: 'file',
};

/** The AWS variables route53 reads: the only ones docker-compose.yaml hands to certbot, and to no other service. */
export const ROUTE53_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;

export function authenticatorFor(challenge: DnsChallenge): string {
  return `dns-${challenge.plugin}`;
}

/** The official image carrying this plugin, at the pinned certbot version; undefined for a third-party plugin. */
export function officialDnsImage(plugin: string): string | undefined {
  return Object.hasOwn(OFFICIAL_DNS_PLUGINS, plugin) ? `certbot/dns-${plugin}:${PINNED_CERTBOT_TAG}` : undefined;
}

/** CERTBOT_DNS_PLUGIN as the user may write it (`cloudflare`, `dns-cloudflare`, any case), or why it is not a name. */
export function readDnsPlugin(raw: string): { plugin: string } | { problem: string } {
  const plugin = raw.toLowerCase().replace(/^dns-/, '');
  if (/^[a-z0-9][a-z0-9_-]{0,62}$/.test(plugin)) return { plugin };
  return {
    problem: `is not a certbot DNS plugin name: use the name after "dns-", e.g. ${Object.keys(OFFICIAL_DNS_PLUGINS).slice(0, 3).join(', ')} or rfc2136`,
  };
}

/**
 * A plugin name one or two letters away from an official plugin is a typo far more often than a third-party plugin
 * (`rfc2163` for `rfc2136`): refused with the official name and its image. A third-party plugin so named still works
 * once trusted by name (CERTBOT_TRUSTED_PLUGINS), the same switch its plugins folder needs.
 */
export function misspeltPluginProblem(plugin: string, trustedPlugins: readonly string[]): string | undefined {
  if (Object.hasOwn(OFFICIAL_DNS_PLUGINS, plugin) || trustedPlugins.includes(`dns-${plugin}`)) return undefined;
  const guess = closestName(plugin, Object.keys(OFFICIAL_DNS_PLUGINS));
  if (guess === undefined) return undefined;
  return `is not a certbot DNS plugin; did you mean ${guess}? Set CERTBOT_DNS_PLUGIN=${guess} and CERTBOT_IMAGE=${officialDnsImage(guess)} (the official image that carries it). If dns-${plugin} really is a third-party plugin you installed, trust it by name: CERTBOT_TRUSTED_PLUGINS=${[...trustedPlugins, `dns-${plugin}`].join(',')}`;
}

/**
 * What is wrong with the credentials file as the host sees it, from its stat (undefined: it does not exist; `not
 * mounted`: this container cannot see it, so only its place is checked), or undefined when it is fine. `projectDir`
 * is refused as a home: certkit-init and certkit mount that folder.
 */
export function credentialsFileProblem(
  path: string,
  projectDir: string,
  stat: { isFile: boolean; mode: number; size: number } | 'not mounted' | undefined,
): string | undefined {
  const absolute = resolve(projectDir, path);
  const inside = relative(projectDir, absolute);
  if (inside === '' || (!inside.startsWith('..') && !isAbsolute(inside))) {
    return `CERTBOT_DNS_CREDENTIALS: "${path}" is inside the project folder, which the certkit-init and certkit containers mount too; move it out (e.g. sudo mkdir -p /etc/certkit && sudo mv ${path} /etc/certkit/) and point CERTBOT_DNS_CREDENTIALS there, so only certbot sees it`;
  }
  if (stat === 'not mounted') return undefined;
  if (!stat)
    return `CERTBOT_DNS_CREDENTIALS: "${path}" does not exist (looked for ${absolute}); create it with the plugin's credentials, then chmod 600 ${absolute}`;
  if (!stat.isFile) {
    return `CERTBOT_DNS_CREDENTIALS: "${path}" is not a regular file (Compose v2 makes an empty folder when the file is missing at \`up\`); remove it if it is such a folder, write the plugin's credentials file there, chmod 600 ${path}`;
  }
  if ((stat.mode & 0o077) !== 0) {
    return `CERTBOT_DNS_CREDENTIALS: "${path}" has mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')}, so other users on the host can ${stat.mode & 0o044 ? 'read' : 'change'} your DNS credentials; run: chmod 600 ${absolute}`;
  }
  if (stat.size === 0) return `CERTBOT_DNS_CREDENTIALS: "${path}" is empty; put the plugin's credentials in it`;
  return undefined;
}

import { OFFICIAL_DNS_PLUGINS, ROUTE53_VARIABLES, officialDnsImage, type Challenge } from './dns-challenge.js';
import { canonicalIp } from './ip-address.js';

/**
 * CERTBOT_CHALLENGE with the DNS settings and the names: each setting that does not fit the others is a problem
 * naming the variable and the fix. Returns the challenge (meaningful only when no problem was added).
 */
export function challengeProblems(
  problems: string[],
  given: {
    type: 'http' | 'dns';
    plugin: string;
    credentials: string;
    propagation: string;
    image: string;
    domains: string[];
  },
): Challenge {
  const wildcards = given.domains.filter((name) => name.startsWith('*.'));
  if (given.type === 'http') {
    for (const name of wildcards) {
      problems.push(
        `CERTBOT_DOMAIN: "${name}" is a wildcard, and CAs validate wildcards only over DNS-01, never over HTTP-01 (CERTBOT_CHALLENGE is http); set CERTBOT_CHALLENGE=dns with CERTBOT_DNS_PLUGIN for your DNS provider, or list each name instead`,
      );
    }
    const dnsOnly: Array<[string, string]> = [
      ['CERTBOT_DNS_PLUGIN', given.plugin],
      ['CERTBOT_DNS_CREDENTIALS', given.credentials],
      ['CERTBOT_DNS_PROPAGATION_SECONDS', given.propagation],
    ];
    for (const [key, value] of dnsOnly.filter(([, value]) => value !== '')) {
      problems.push(
        `${key}: "${value}" is set, but CERTBOT_CHALLENGE is http, which uses no DNS plugin; set CERTBOT_CHALLENGE=dns to validate over DNS, or remove ${key}`,
      );
    }
    return { type: 'http' };
  }
  const challenge: Challenge = {
    type: 'dns',
    plugin: given.plugin,
    credentials: given.credentials || undefined,
    propagationSeconds: given.propagation === '' ? undefined : Number(given.propagation),
  };
  if (given.plugin === '') {
    problems.push(
      `CERTBOT_DNS_PLUGIN: empty, but CERTBOT_CHALLENGE=dns needs the certbot DNS plugin of your DNS provider, e.g. cloudflare, route53 or rfc2136 (docs/dns-01.md)`,
    );
    return challenge;
  }
  const addresses = given.domains.filter((name) => canonicalIp(name) !== undefined);
  if (addresses.length > 0) {
    problems.push(
      `CERTBOT_DOMAIN: the IP address ${addresses[0]} cannot be validated over DNS-01 (CERTBOT_CHALLENGE=dns): a CA checks an IP address over HTTP-01 only; certify it in a stack with CERTBOT_CHALLENGE=http, or remove it`,
    );
  }
  if (OFFICIAL_DNS_PLUGINS[given.plugin] === 'file' && given.credentials === '') {
    problems.push(
      `CERTBOT_DNS_CREDENTIALS: empty, but the ${given.plugin} plugin reads its credentials from a file; write them to a file outside this folder (e.g. /etc/certkit/${given.plugin}.ini), chmod 600 it, and set CERTBOT_DNS_CREDENTIALS to its path (docs/dns-01.md)`,
    );
  }
  if (OFFICIAL_DNS_PLUGINS[given.plugin] === 'aws' && given.credentials !== '') {
    problems.push(
      `CERTBOT_DNS_CREDENTIALS: "${given.credentials}" is set, but the ${given.plugin} plugin reads no credentials file: it takes ${ROUTE53_VARIABLES.slice(0, 2).join(' and ')} from .env, which docker-compose.yaml passes to the certbot container alone; remove CERTBOT_DNS_CREDENTIALS (docs/dns-01.md)`,
    );
  }
  if (OFFICIAL_DNS_PLUGINS[given.plugin] === 'aws' && given.propagation !== '') {
    problems.push(
      `CERTBOT_DNS_PROPAGATION_SECONDS: "${given.propagation}" is set, but the ${given.plugin} plugin takes no delay (certbot 3.0 removed its flag): it waits until Route 53 reports the change in sync; remove CERTBOT_DNS_PROPAGATION_SECONDS`,
    );
  }
  const official = officialDnsImage(given.plugin);
  if (official && given.image === '') {
    problems.push(
      `CERTBOT_IMAGE: empty, so the certbot container runs certbot/certbot, which has no dns-${given.plugin} plugin; set CERTBOT_IMAGE=${official} (the official image with the plugin, at the same certbot version)`,
    );
  }
  return challenge;
}

import type { Config, KeyType } from '../config/config.js';
import { authenticatorFor } from '../config/dns-challenge.js';
import { optionDestinations, userOptionDestinations } from '../config/certbot-options.js';
import { atLeast, CERTBOT_SINCE } from './certbot-support.js';
import { parseCertbotVersion } from './certbot-version.js';
import { CONTAINER_PATHS } from '../stack/layout.js';
import type { RenewalConf } from '../store/renewal-conf.js';
import { certonly, renew } from './certbot-argv.js';

/** How a lineage's renewal conf differs from what the configuration asks for now (each a reason in a plan). */

/**
 * The DNS plugin settings `certbot renew` would reuse from the renewal conf that .env no longer asks for (another
 * propagation delay, credentials added or removed): like a lingering option, a due renewal then runs as certonly.
 */
export function staleDnsSettings(config: Config, renewal: RenewalConf | undefined): string[] {
  const challenge = config.challenge;
  if (challenge.type !== 'dns' || renewal?.authenticator !== authenticatorFor(challenge) || !renewal.dnsParams) return [];
  const saved = (key: string): string | undefined => {
    const value = renewal.dnsParams?.[`dns_${challenge.plugin.replace(/-/g, '_')}_${key}`];
    return value === undefined || value === 'None' ? undefined : value;
  };
  const stale: string[] = [];
  const delay = challenge.propagationSeconds === undefined ? undefined : String(challenge.propagationSeconds);
  if (saved('propagation_seconds') !== delay)
    stale.push(
      `changes the DNS propagation delay from ${saved('propagation_seconds') ?? "the plugin's default"} to ${delay ?? "the plugin's default"}`,
    );
  const credentials = challenge.credentials === undefined ? undefined : CONTAINER_PATHS.dnsCredentials;
  if (saved('credentials') !== credentials) stale.push(`changes the DNS credentials file to ${credentials ?? 'none'}`);
  return stale;
}

export /**
 * Webroots a renewal conf names other than the one nginx serves the challenge from: a store made by another setup
 * (Dify's certbot used /var/www/html) and taken over in place. `certbot renew` would write its tokens there, where no
 * nginx looks; `certonly -w` validates through certkit's webroot and saves it in the conf for the next renewal.
 */
function foreignWebroots(renewal: RenewalConf | undefined): string[] {
  if (renewal?.authenticator !== 'webroot') return [];
  const foreign = (path: string): boolean => path.replace(/\/+$/, '') !== CONTAINER_PATHS.webroot;
  return [...new Set([...renewal.webrootPaths, ...Object.values(renewal.webrootMap ?? {})].filter(foreign))];
}

/** Renewal-conf keys a user option once set that CERTBOT_OPTIONS no longer sets (and certkit does not set itself). */
export function lingeringOptions(config: Config, renewal: RenewalConf | undefined): string[] {
  if (!renewal?.paramKeys) return [];
  const bare = { ...config, certbotOptions: [] };
  const own = optionDestinations([
    ...certonly(bare, config.server.url, {}, []).argv,
    ...renew(bare, { certbot: [0, 0, 0], existing: undefined }, []).argv,
  ]);
  const wanted = optionDestinations(config.certbotOptions);
  const userSettable = userOptionDestinations();
  return renewal.paramKeys.filter((key) => userSettable.has(key) && !wanted.has(key) && !own.has(key) && !SAVED_BY_CERTBOT.has(key));
}

/** Keys certbot saves whatever the command line says (the account it used, say): never a user's leftover. */
const SAVED_BY_CERTBOT = new Set(['account', 'server', 'key_type', 'authenticator', 'installer']);

/**
 * The profile the existing certificate was requested with: a name, undefined for the CA's default, or null when the
 * store cannot tell. certbot before 4.0 could not ask for a profile; 4.0 could but saved none, so there its absence
 * says nothing; 4.1 and newer save it.
 */
export function knownSavedProfile(renewal: RenewalConf | undefined): string | undefined | null {
  if (!renewal) return null;
  if (renewal.profile !== undefined) return renewal.profile;
  const writtenBy = renewal.version === undefined ? undefined : parseCertbotVersion(`certbot ${renewal.version}`);
  if (!writtenBy) return null;
  return atLeast(writtenBy, CERTBOT_SINCE.profile) && !atLeast(writtenBy, CERTBOT_SINCE.savedProfileAndAri) ? null : undefined;
}

export function describeProfile(profile: string | undefined): string {
  return profile === undefined ? "the CA's default" : profile;
}

export function describeKeyType(keyType: KeyType): string {
  return keyType.type === 'ecdsa' ? `ecdsa ${keyType.curve}` : `rsa ${keyType.size}`;
}

/** certbot before 2.0 wrote no key_type (RSA was the only default); missing curve/size means certbot's default. */
export function describeSavedKeyType(renewal: RenewalConf | undefined): string | undefined {
  if (!renewal?.keyType) return undefined;
  if (renewal.keyType === 'ecdsa') return `ecdsa ${renewal.ellipticCurve ?? 'secp256r1'}`;
  if (renewal.keyType === 'rsa') return `rsa ${renewal.rsaKeySize ?? '2048'}`;
  return renewal.keyType;
}

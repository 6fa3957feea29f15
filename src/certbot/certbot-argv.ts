import type { Config, KeyType } from '../config/config.js';
import { ACME_SERVERS } from '../config/acme-servers.js';
import { authenticatorFor, type Challenge } from '../config/dns-challenge.js';
import { isIpAddress } from '../config/ip-address.js';
import { atLeast, CERTBOT_SINCE } from './certbot-support.js';
import type { Version } from './certbot-version.js';
import { CONTAINER_PATHS, DEPLOY_HOOK } from '../stack/layout.js';
import type { ExistingCertificate } from './plan-certbot-run.js';

/** certbot's command lines, built from the configuration: what to run, not whether (plan-certbot-run.ts decides). */

export interface Built {
  argv: string[];
  insecureCa: boolean;
  forceRenewal: boolean;
}

/** The flags certkit itself adds beside the base command; CERTBOT_OPTIONS come from the user and are vetted elsewhere. */
export type Extra = '--expand' | '--force-renewal';

/** The arguments the rendered update-cert.sh runs: issue, expand, or renew when due, in one idempotent call. */
export function standaloneCertonlyArgv(config: Config): string[] {
  return certonly(config, config.server.url, { dryRun: false }, ['--expand']).argv;
}

function commonArgv(config: Config, request: { dryRun?: boolean | undefined }): string[] {
  return ['--non-interactive', '--cert-name', config.certName, '--deploy-hook', DEPLOY_HOOK, ...(request.dryRun ? ['--dry-run'] : [])];
}

export function certonly(config: Config, serverUrl: string, request: { dryRun?: boolean | undefined }, extra: readonly Extra[]): Built {
  const forced = extra.includes('--force-renewal');
  const insecureCa = serverUrl === ACME_SERVERS.pebble;
  const argv = [
    'certonly',
    ...commonArgv(config, request),
    ...challengeArgv(config.challenge, config.domains),
    ...config.domains.flatMap((name) => [isIpAddress(name) ? '--ip-address' : '-d', name]),
    '--server',
    serverUrl,
    ...(insecureCa ? ['--no-verify-ssl'] : []),
    '--agree-tos',
    ...(config.email ? ['--email', config.email, '--no-eff-email'] : ['--register-unsafely-without-email']),
    ...keyTypeArgv(config.keyType),
    ...(config.profile ? ['--required-profile', config.profile] : []),
    ...(forced ? [] : ['--keep-until-expiring']),
    ...extra,
    ...config.certbotOptions,
  ];
  return { argv, insecureCa, forceRenewal: forced };
}

export function renew(
  config: Config,
  request: { dryRun?: boolean | undefined; certbot: Version; existing: ExistingCertificate | undefined },
  extra: readonly Extra[],
): Built {
  const forced = extra.includes('--force-renewal');
  const insecureCa = config.server.url === ACME_SERVERS.pebble;
  const argv = [
    'renew',
    ...commonArgv(config, request),
    '--no-random-sleep-on-renew',
    // A dry run without --server sends certbot to Let's Encrypt staging, whatever CA the certificate comes from.
    ...(request.dryRun && config.server.url !== ACME_SERVERS.production ? ['--server', config.server.url] : []),
    // certbot does not save --no-verify-ssl in the renewal configuration.
    ...(insecureCa ? ['--no-verify-ssl'] : []),
    ...renewProfileArgv(config, request),
    ...(forced ? [] : ['--keep-until-expiring']),
    ...extra,
    ...config.certbotOptions,
  ];
  return { argv, insecureCa, forceRenewal: forced };
}

/**
 * certbot 4.0 takes a profile but does not save it, so a renewal without the flag falls back to the CA's default
 * (the "shortlived profile silently dropped" complaint); certkit passes it on every renewal there, and whenever the
 * renewal conf does not hold it yet (a lineage issued by 4.0 and renewed by a newer certbot).
 */
function renewProfileArgv(config: Config, request: { certbot: Version; existing: ExistingCertificate | undefined }): string[] {
  if (!config.profile) return [];
  const saved = request.existing?.renewal?.profile;
  if (atLeast(request.certbot, CERTBOT_SINCE.savedProfileAndAri) && saved === config.profile) return [];
  return ['--required-profile', config.profile];
}

export function authenticatorOf(challenge: Challenge): string {
  return challenge.type === 'dns' ? authenticatorFor(challenge) : 'webroot';
}

/**
 * How certbot answers the challenge: the webroot nginx serves, or the DNS plugin with its credentials and delay. The
 * webroot is also given as a map of every name: certbot maps a name given after a single -w only when it answers a
 * challenge for it, so a name whose authorization the CA reused would keep the webroot an older renewal conf named
 * (a store taken over), and the next `certbot renew` would write its token where nginx does not look.
 */
function challengeArgv(challenge: Challenge, domains: readonly string[]): string[] {
  if (challenge.type === 'http')
    return ['--webroot', '-w', CONTAINER_PATHS.webroot, '--webroot-map', JSON.stringify({ [domains.join(',')]: CONTAINER_PATHS.webroot })];
  const flag = `--${authenticatorFor(challenge)}`;
  return [
    '--authenticator',
    authenticatorFor(challenge),
    ...(challenge.credentials === undefined ? [] : [`${flag}-credentials`, CONTAINER_PATHS.dnsCredentials]),
    ...(challenge.propagationSeconds === undefined ? [] : [`${flag}-propagation-seconds`, String(challenge.propagationSeconds)]),
  ];
}

function keyTypeArgv(keyType: KeyType): string[] {
  return keyType.type === 'ecdsa'
    ? ['--key-type', 'ecdsa', '--elliptic-curve', keyType.curve]
    : ['--key-type', 'rsa', '--rsa-key-size', String(keyType.size)];
}

import type { Config, KeyType } from '../config/config.js';
import { ACME_SERVERS } from '../config/acme-servers.js';
import { authenticatorFor, type Challenge } from '../config/dns-challenge.js';
import { optionDestinations, userOptionDestinations } from '../config/certbot-options.js';
import { CertkitError } from '../errors.js';
import { isIpAddress } from '../config/ip-address.js';
import { atLeast, CERTBOT_SINCE } from './certbot-support.js';
import { parseCertbotVersion, type Version } from './certbot-version.js';
import { CONTAINER_PATHS, DEPLOY_HOOK } from '../stack/layout.js';
import type { RenewalConf } from '../store/renewal-conf.js';
import { decideRenewal } from './renewal-due.js';
import { decideByRenewalWindow, type RenewalWindow } from './renewal-window.js';

/** The certificate certbot already has under the configured name, as read from the store. */
export interface ExistingCertificate {
  domains: string[];
  notBefore: Date;
  notAfter: Date;
  serial: string;
  renewal: RenewalConf | undefined;
}

export interface PlanRequest {
  config: Config;
  existing: ExistingCertificate | undefined;
  certbot: Version;
  now: Date;
  force?: boolean;
  dryRun?: boolean;
  /** Use Let's Encrypt staging for this run, whatever CERTBOT_SERVER says. */
  staging?: boolean;
  /** The CA's renewal window for the existing certificate (ARI), when the CA has one. */
  renewalWindow?: RenewalWindow | undefined;
}

/**
 * issue: no certificate yet. reissue: names, CA or key type changed. renew: let certbot renew (or force it).
 * keep: nothing to do, certbot is not run.
 */
export interface CertbotPlan {
  action: 'issue' | 'reissue' | 'renew' | 'keep';
  /** certbot's arguments, without the `certbot` itself; empty for keep. */
  argv: string[];
  reasons: string[];
  /** Whether the run asks the CA to validate the names (so a preflight is worth its request). */
  validates: boolean;
  dryRun: boolean;
  /** The CA's own TLS certificate is not verified (the local test CA). */
  insecureCa: boolean;
  forceRenewal: boolean;
}

interface Built {
  argv: string[];
  insecureCa: boolean;
  forceRenewal: boolean;
}

function plan(
  action: CertbotPlan['action'],
  built: Built,
  reasons: string[],
  facts: { validates: boolean; dryRun: boolean | undefined },
): CertbotPlan {
  return {
    action,
    argv: built.argv,
    reasons,
    validates: facts.validates,
    dryRun: facts.dryRun === true,
    insecureCa: built.insecureCa,
    forceRenewal: built.forceRenewal,
  };
}

export function planCertbotRun(request: PlanRequest): CertbotPlan {
  const { config, existing } = request;
  const serverUrl = request.staging ? ACME_SERVERS.staging : config.server.url;
  const always = { validates: true, dryRun: request.dryRun };
  if (!existing) return plan('issue', certonly(config, serverUrl, request, []), ['no certificate yet'], always);

  const savedServer = existing.renewal?.server;
  if (request.staging && !request.dryRun && savedServer === ACME_SERVERS.production) {
    throw new CertkitError(
      'USAGE',
      `${config.certName} is a trusted production certificate; --staging would replace it with an untrusted one. Use --dry-run to test against staging without replacing anything.`,
    );
  }

  const added = config.domains.filter((name) => !existing.domains.includes(name));
  const dropped = existing.domains.filter((name) => !config.domains.includes(name));
  const changes: string[] = [];
  const extra: Extra[] = [];
  if (added.length > 0) {
    changes.push(`adds ${added.join(', ')}`);
    extra.push('--expand');
  }
  if (dropped.length > 0) changes.push(`drops ${dropped.join(', ')}`);
  const forceReasons: string[] = [];
  if (savedServer !== undefined && savedServer !== serverUrl) forceReasons.push(`moves from ${savedServer} to ${serverUrl}`);
  const savedKey = describeSavedKeyType(existing.renewal);
  if (savedKey !== undefined && savedKey !== describeKeyType(config.keyType))
    forceReasons.push(`changes the key from ${savedKey} to ${describeKeyType(config.keyType)}`);
  const savedProfile = knownSavedProfile(existing.renewal);
  if (savedProfile !== null && savedProfile !== config.profile)
    forceReasons.push(`changes the profile from ${describeProfile(savedProfile)} to ${describeProfile(config.profile)}`);
  const authenticator = existing.renewal?.authenticator;
  const wanted = authenticatorOf(config.challenge);
  if (authenticator !== undefined && authenticator !== wanted) changes.push(`switches validation from ${authenticator} to ${wanted}`);

  if (changes.length > 0 || forceReasons.length > 0 || request.force) {
    const forced = forceReasons.length > 0 || request.force === true;
    const reasons = [...changes, ...forceReasons, ...(request.force ? ['--force'] : [])];
    if (changes.length === 0 && !request.staging && request.force && savedServer === serverUrl) {
      return renewPlan(config, request, existing, ['--force-renewal'], reasons, always);
    }
    return plan(
      'reissue',
      certonly(config, serverUrl, request, [...extra, ...(forced ? (['--force-renewal'] as const) : [])]),
      reasons,
      always,
    );
  }

  // The CA's window can open before certbot's threshold (an incident, a revocation ahead). certbot >= 5.0 asks the CA
  // at most once per Retry-After (hours), and older certbot never asks; so once the window is open, certkit renews.
  const window = request.renewalWindow ? decideByRenewalWindow(request.renewalWindow, existing.serial, request.now) : undefined;
  if (window?.due && !request.dryRun) return plan('renew', renew(config, request, ['--force-renewal']), [window.reason], always);
  const decision = decideRenewal(existing, request.now, request.certbot);
  const ariNote = window ? [window.reason] : [];
  if (decision.decidedBy === 'certbot') {
    // certbot applies the same rule (decideRenewal mirrors it), so it validates exactly when the certificate is due.
    return renewPlan(config, request, existing, [], [`certbot decides: ${decision.reason}`, ...ariNote], {
      validates: decision.due || request.dryRun === true,
      dryRun: request.dryRun,
    });
  }
  if (decision.due) return renewPlan(config, request, existing, ['--force-renewal'], [decision.reason], always);
  if (request.dryRun) return renewPlan(config, request, existing, [], ['--dry-run'], always);
  return plan('keep', { argv: [], insecureCa: false, forceRenewal: false }, [decision.reason, ...ariNote], {
    validates: false,
    dryRun: request.dryRun,
  });
}

/**
 * A renewal. `certbot renew` reuses every option saved in the renewal conf, so an option removed from CERTBOT_OPTIONS
 * would stay for good. When the conf holds such an option, the renewal runs as `certonly` with the full option set
 * instead: certbot then saves only the options given, and the removed one is gone. No extra certificate is spent:
 * this happens only when a renewal is due (or forced) anyway, and certkit is what runs every renewal.
 */
function renewPlan(
  config: Config,
  request: PlanRequest,
  existing: ExistingCertificate,
  extra: readonly Extra[],
  reasons: string[],
  facts: { validates: boolean; dryRun: boolean | undefined },
): CertbotPlan {
  const lingering = lingeringOptions(config, existing.renewal);
  const staleDns = staleDnsSettings(config, existing.renewal);
  const webroots = config.challenge.type === 'http' ? foreignWebroots(existing.renewal) : [];
  if (((lingering.length === 0 && staleDns.length === 0) || request.dryRun) && webroots.length === 0)
    return plan('renew', renew(config, request, extra), reasons, facts);
  const serverUrl = request.staging ? ACME_SERVERS.staging : config.server.url;
  return plan(
    'renew',
    certonly(config, serverUrl, request, extra),
    [
      ...reasons,
      ...(lingering.length > 0 && !request.dryRun
        ? [`drops ${lingering.join(', ')} from the renewal conf (no longer in CERTBOT_OPTIONS)`]
        : []),
      ...(request.dryRun ? [] : staleDns),
      ...(webroots.length > 0 ? [`validates through ${CONTAINER_PATHS.webroot}, not ${webroots.join(', ')} (a store taken over)`] : []),
    ],
    facts,
  );
}

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

function authenticatorOf(challenge: Challenge): string {
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

/**
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

/** A forced certonly for the configured names: a new certificate whatever the store holds (after an account reset, say). */
export function planForcedReissue(config: Config, request: { dryRun?: boolean }): CertbotPlan {
  return plan('reissue', certonly(config, config.server.url, request, ['--force-renewal']), ['new CA account'], {
    validates: true,
    dryRun: request.dryRun,
  });
}

/** The arguments the rendered update-cert.sh runs: issue, expand, or renew when due, in one idempotent call. */
export function standaloneCertonlyArgv(config: Config): string[] {
  return certonly(config, config.server.url, { dryRun: false }, ['--expand']).argv;
}

function commonArgv(config: Config, request: { dryRun?: boolean | undefined }): string[] {
  return ['--non-interactive', '--cert-name', config.certName, '--deploy-hook', DEPLOY_HOOK, ...(request.dryRun ? ['--dry-run'] : [])];
}

function certonly(config: Config, serverUrl: string, request: { dryRun?: boolean | undefined }, extra: readonly Extra[]): Built {
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

function renew(
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

/** The flags certkit itself adds beside the base command; CERTBOT_OPTIONS come from the user and are vetted elsewhere. */
type Extra = '--expand' | '--force-renewal';

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

/**
 * The profile the existing certificate was requested with: a name, undefined for the CA's default, or null when the
 * store cannot tell. certbot before 4.0 could not ask for a profile; 4.0 could but saved none, so there its absence
 * says nothing; 4.1 and newer save it.
 */
function knownSavedProfile(renewal: RenewalConf | undefined): string | undefined | null {
  if (!renewal) return null;
  if (renewal.profile !== undefined) return renewal.profile;
  const writtenBy = renewal.version === undefined ? undefined : parseCertbotVersion(`certbot ${renewal.version}`);
  if (!writtenBy) return null;
  return atLeast(writtenBy, CERTBOT_SINCE.profile) && !atLeast(writtenBy, CERTBOT_SINCE.savedProfileAndAri) ? null : undefined;
}

function describeProfile(profile: string | undefined): string {
  return profile === undefined ? "the CA's default" : profile;
}

function keyTypeArgv(keyType: KeyType): string[] {
  return keyType.type === 'ecdsa'
    ? ['--key-type', 'ecdsa', '--elliptic-curve', keyType.curve]
    : ['--key-type', 'rsa', '--rsa-key-size', String(keyType.size)];
}

export function describeKeyType(keyType: KeyType): string {
  return keyType.type === 'ecdsa' ? `ecdsa ${keyType.curve}` : `rsa ${keyType.size}`;
}

/** certbot before 2.0 wrote no key_type (RSA was the only default); missing curve/size means certbot's default. */
function describeSavedKeyType(renewal: RenewalConf | undefined): string | undefined {
  if (!renewal?.keyType) return undefined;
  if (renewal.keyType === 'ecdsa') return `ecdsa ${renewal.ellipticCurve ?? 'secp256r1'}`;
  if (renewal.keyType === 'rsa') return `rsa ${renewal.rsaKeySize ?? '2048'}`;
  return renewal.keyType;
}

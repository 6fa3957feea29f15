import type { Config, KeyType } from '../config/config.js';
import { ACME_SERVERS } from '../config/acme-servers.js';
import { optionDestinations, userOptionDestinations } from '../config/certbot-options.js';
import { CertkitError } from '../errors.js';
import type { Version } from './certbot-version.js';
import { CONTAINER_PATHS, DEPLOY_HOOK } from './paths.js';
import type { RenewalConf } from './renewal-conf.js';
import { decideRenewal } from './renewal-due.js';

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
}

export function planCertbotRun(request: PlanRequest): CertbotPlan {
  const { config, existing } = request;
  const serverUrl = request.staging ? ACME_SERVERS.staging : config.server.url;
  if (!existing) return { action: 'issue', argv: certonlyArgv(config, serverUrl, request, []), reasons: ['no certificate yet'] };

  const savedServer = existing.renewal?.server;
  if (request.staging && !request.dryRun && savedServer === ACME_SERVERS.production) {
    throw new CertkitError('USAGE', `${config.certName} is a trusted production certificate; --staging would replace it with an untrusted one. Use --dry-run to test against staging without replacing anything.`);
  }

  const added = config.domains.filter((name) => !existing.domains.includes(name));
  const dropped = existing.domains.filter((name) => !config.domains.includes(name));
  const changes: string[] = [];
  const extra: string[] = [];
  if (added.length > 0) {
    changes.push(`adds ${added.join(', ')}`);
    extra.push('--expand');
  }
  if (dropped.length > 0) changes.push(`drops ${dropped.join(', ')}`);
  const forceReasons: string[] = [];
  if (savedServer !== undefined && savedServer !== serverUrl) forceReasons.push(`moves from ${savedServer} to ${serverUrl}`);
  const savedKey = describeSavedKeyType(existing.renewal);
  if (savedKey !== undefined && savedKey !== describeKeyType(config.keyType)) forceReasons.push(`changes the key from ${savedKey} to ${describeKeyType(config.keyType)}`);
  const authenticator = existing.renewal?.authenticator;
  if (authenticator !== undefined && authenticator !== 'webroot') changes.push(`switches validation from ${authenticator} to webroot`);

  if (changes.length > 0 || forceReasons.length > 0 || request.force) {
    const forced = forceReasons.length > 0 || request.force === true;
    const reasons = [...changes, ...forceReasons, ...(request.force ? ['--force'] : [])];
    if (changes.length === 0 && !request.staging && request.force && savedServer === serverUrl) {
      return renewPlan(config, request, existing, ['--force-renewal'], reasons);
    }
    return { action: 'reissue', argv: certonlyArgv(config, serverUrl, request, [...extra, ...(forced ? ['--force-renewal'] : [])]), reasons };
  }

  const decision = decideRenewal(existing, request.now, request.certbot);
  if (decision.decidedBy === 'certbot') {
    return renewPlan(config, request, existing, [], [`certbot decides: ${decision.reason}`]);
  }
  if (decision.due) return renewPlan(config, request, existing, ['--force-renewal'], [decision.reason]);
  if (request.dryRun) return { action: 'renew', argv: renewArgv(config, request, []), reasons: ['--dry-run'] };
  return { action: 'keep', argv: [], reasons: [decision.reason] };
}

/**
 * A renewal. `certbot renew` reuses every option saved in the renewal conf, so an option removed from CERTBOT_OPTIONS
 * would stay for good. When the conf holds such an option, the renewal runs as `certonly` with the full option set
 * instead: certbot then saves only the options given, and the removed one is gone. No extra certificate is spent:
 * this happens only when a renewal is due (or forced) anyway, and certkit is what runs every renewal.
 */
function renewPlan(config: Config, request: PlanRequest, existing: ExistingCertificate, extra: string[], reasons: string[]): CertbotPlan {
  const lingering = lingeringOptions(config, existing.renewal);
  if (lingering.length === 0 || request.dryRun) return { action: 'renew', argv: renewArgv(config, request, extra), reasons };
  const serverUrl = request.staging ? ACME_SERVERS.staging : config.server.url;
  return {
    action: 'renew',
    argv: certonlyArgv(config, serverUrl, request, extra),
    reasons: [...reasons, `drops ${lingering.join(', ')} from the renewal conf (no longer in CERTBOT_OPTIONS)`],
  };
}

/** Renewal-conf keys a user option once set that CERTBOT_OPTIONS no longer sets (and certkit does not set itself). */
export function lingeringOptions(config: Config, renewal: RenewalConf | undefined): string[] {
  if (!renewal?.paramKeys) return [];
  const bare = { ...config, certbotOptions: [] };
  const own = optionDestinations([...certonlyArgv(bare, config.server.url, {}, []), ...renewArgv(bare, {}, [])]);
  const wanted = optionDestinations(config.certbotOptions);
  const userSettable = userOptionDestinations();
  return renewal.paramKeys.filter((key) => userSettable.has(key) && !wanted.has(key) && !own.has(key) && !SAVED_BY_CERTBOT.has(key));
}

/** Keys certbot saves whatever the command line says (the account it used, say): never a user's leftover. */
const SAVED_BY_CERTBOT = new Set(['account', 'server', 'key_type', 'authenticator', 'installer']);

/** A forced certonly for the configured names: a new certificate whatever the store holds (after an account reset, say). */
export function planForcedReissue(config: Config, request: { dryRun?: boolean }): CertbotPlan {
  return { action: 'reissue', argv: certonlyArgv(config, config.server.url, request, ['--force-renewal']), reasons: ['new CA account'] };
}

/** The arguments the rendered update-cert.sh runs: issue, expand, or renew when due, in one idempotent call. */
export function standaloneCertonlyArgv(config: Config): string[] {
  return certonlyArgv(config, config.server.url, { dryRun: false }, ['--expand']);
}

function commonArgv(config: Config, request: { dryRun?: boolean | undefined }): string[] {
  return [
    '--non-interactive',
    '--cert-name', config.certName,
    '--deploy-hook', DEPLOY_HOOK,
    ...(request.dryRun ? ['--dry-run'] : []),
  ];
}

function certonlyArgv(config: Config, serverUrl: string, request: { dryRun?: boolean | undefined }, extra: string[]): string[] {
  const forced = extra.includes('--force-renewal');
  return [
    'certonly',
    ...commonArgv(config, request),
    '--webroot', '-w', CONTAINER_PATHS.webroot,
    ...config.domains.flatMap((name) => ['-d', name]),
    '--server', serverUrl,
    ...(serverUrl === ACME_SERVERS.pebble ? ['--no-verify-ssl'] : []),
    '--agree-tos',
    ...(config.email ? ['--email', config.email, '--no-eff-email'] : ['--register-unsafely-without-email']),
    ...keyTypeArgv(config.keyType),
    ...(forced ? [] : ['--keep-until-expiring']),
    ...extra,
    ...config.certbotOptions,
  ];
}

function renewArgv(config: Config, request: { dryRun?: boolean | undefined }, extra: string[]): string[] {
  const forced = extra.includes('--force-renewal');
  return [
    'renew',
    ...commonArgv(config, request),
    '--no-random-sleep-on-renew',
    // A dry run without --server sends certbot to Let's Encrypt staging, whatever CA the certificate comes from.
    ...(request.dryRun && config.server.url !== ACME_SERVERS.production ? ['--server', config.server.url] : []),
    // certbot does not save --no-verify-ssl in the renewal configuration.
    ...(config.server.url === ACME_SERVERS.pebble ? ['--no-verify-ssl'] : []),
    ...(forced ? [] : ['--keep-until-expiring']),
    ...extra,
    ...config.certbotOptions,
  ];
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

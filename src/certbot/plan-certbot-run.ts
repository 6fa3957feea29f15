import type { Config } from '../config/config.js';
import { ACME_SERVERS } from '../config/acme-servers.js';
import { CertkitError } from '../errors.js';
import type { Version } from './certbot-version.js';
import { CONTAINER_PATHS } from '../stack/layout.js';
import type { RenewalConf } from '../store/renewal-conf.js';
import { decideRenewal } from './renewal-due.js';
import { decideByRenewalWindow, type RenewalWindow } from './renewal-window.js';
import { authenticatorOf, certonly, renew, type Built, type Extra } from './certbot-argv.js';
import {
  describeKeyType,
  describeProfile,
  describeSavedKeyType,
  foreignWebroots,
  knownSavedProfile,
  lingeringOptions,
  staleDnsSettings,
} from './renewal-drift.js';

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

/** A forced certonly for the configured names: a new certificate whatever the store holds (after an account reset, say). */
export function planForcedReissue(config: Config, request: { dryRun?: boolean }): CertbotPlan {
  return plan('reissue', certonly(config, config.server.url, request, ['--force-renewal']), ['new CA account'], {
    validates: true,
    dryRun: request.dryRun,
  });
}

import type { Config } from '../config/config.js';
import { configForSite } from '../sites/env-site.js';
import type { Site } from '../sites/site.js';
import type { SiteOutcome, UpdateResult } from './update-context.js';

/** One site of a run's sweep, with the Config its run works with. */
export interface SweepMember {
  site: Site;
  /** The site's Config: `.env`'s own for the .env site (its lineage and routing as always), configForSite for the others. */
  config: Config;
  /**
   * Its nginx file is the one `entrypoint.sh select` links (site.conf: the .env site's), not one of nginx/sites/: a reload
   * for it selects HTTPS (and fails, naming nginx's refusal, when HTTPS cannot load) instead of linking the sites.
   */
  selects: boolean;
}

/**
 * The sites one sweep works on, in the order their results are reported: the .env site first (when chosen), then the
 * other chosen sites. Every one goes through the same phases: one preflight, certbot, one read-back, one pass over nginx.
 */
export function sweepMembers(config: Config, env: Site | undefined, others: readonly Site[]): SweepMember[] {
  return [
    ...(env ? [{ site: env, config, selects: true }] : []),
    ...others.map((site) => ({ site, config: configForSite(config, site), selects: false })),
  ];
}

/** Who reloads nginx for a configuration change alone (a rendering nginx does not run yet). */
export type ConfigReload =
  /** The run, once at its end (runUpdate): several sites, whose stamps all change at once. */
  | 'end'
  /** The site's own serving: a run of one site, or the app's own nginx (which has no run-end reload). */
  | 'site';

/**
 * The run's one reload is at its end when certkit's nginx serves several sites (or the files of a site no longer
 * declared): every site's change changes every file's stamp, and one reload takes all of them in.
 */
export function configReloadFor(config: Config, sites: number, retained: number): ConfigReload {
  return config.nginx.mode === 'kit' && (sites > 1 || retained > 0) ? 'end' : 'site';
}

/** What became of one member: its outcome as reported, and the error itself (the .env site's is thrown as it was). */
export interface MemberResult {
  outcome: SiteOutcome;
  error?: unknown;
}

/**
 * The .env site's result as `update` reports it: its result, its own error (thrown as the run's), or undefined when it
 * was not in the sweep (`update SITE...` left it out).
 */
export function envReport(
  members: readonly SweepMember[],
  results: readonly MemberResult[],
): { ok: true; result: UpdateResult } | { ok: false; error: unknown; outcome: SiteOutcome } | undefined {
  const index = members.findIndex((member) => member.selects);
  const env = index < 0 ? undefined : results[index];
  if (!env) return undefined;
  if (env.outcome.result) return { ok: true, result: env.outcome.result };
  if (env.error !== undefined) return { ok: false, error: env.error, outcome: env.outcome };
  return {
    ok: false,
    error: new Error(`site ${env.outcome.site}: ${env.outcome.skipped ?? 'not worked on in this sweep'}`),
    outcome: env.outcome,
  };
}

/**
 * The .env site's result when it failed or waited and the run reports that instead of throwing it (the daemon): what
 * it serves stays as it was; `failure` or `waiting` says why nothing was done. Pure.
 */
export function envNotDone(config: Config, rendered: string[], outcome: SiteOutcome): UpdateResult {
  const failure =
    outcome.skipped === undefined ? (outcome.error ?? { code: undefined, message: 'not worked on in this sweep' }) : undefined;
  return {
    ...envLeftOut(config, rendered, failure ? `failed: ${failure.message.split('\n')[0]}` : `waits: ${outcome.skipped}`),
    ...(failure ? { failure } : { waiting: outcome.skipped }),
  };
}

/** The .env site's result when the run did nothing for it (`update SITE...` left it out: nothing done, nothing read). Pure. */
export function envLeftOut(config: Config, rendered: string[], reason = 'not among the sites asked for'): UpdateResult {
  return {
    certName: config.certName,
    domains: config.domains,
    action: 'skipped',
    reasons: [reason],
    serial: undefined,
    notAfter: undefined,
    profile: config.profile,
    served: [],
    reloaded: false,
    rendered,
  };
}

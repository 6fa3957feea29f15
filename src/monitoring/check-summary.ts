import type { SwarmUpdateResult } from '../swarm/swarm-update.js';
import type { UpdateResult } from '../update/update-context.js';

/** One site's part of a check, as the monitor counts and alerts it. */
export interface SiteCheck {
  site: string;
  /** The action certbot's run ended in (issued, renewed, unchanged, ...); absent for a failure or a skip. */
  action?: string | undefined;
  serial?: string | undefined;
  error?: { code: string | undefined; message: string } | undefined;
  /** Not worked on this check (backing off alone): neither a success nor a failure. */
  skipped?: string | undefined;
}

/**
 * A check as the monitor sees it, whichever mode ran it: the .env site (the certificate `certkit_last_check_success`
 * and the renewal alert of a failed check are about) and each other site, alerted on its own.
 */
export interface CheckSummary {
  main: SiteCheck;
  others: SiteCheck[];
}

/** Compose's update: the .env certificate, then the other sites (labels, the sites file). Pure. */
export function summariseUpdate(result: UpdateResult): CheckSummary {
  return {
    // The daemon's run reports the .env site's failure or backoff instead of throwing it (as Swarm's does).
    main: { site: result.certName, action: result.action, serial: result.serial, error: result.failure, skipped: result.waiting },
    others: (result.others ?? []).map((outcome) => ({
      site: outcome.site,
      action: outcome.result?.action,
      serial: outcome.result?.serial,
      error: outcome.error,
      skipped: outcome.skipped,
    })),
  };
}

/**
 * Swarm's update: each site is run alone and a failure does not end the check, so the .env site's own failure is the
 * check's failure (as in the Compose daemon's run, which reports it too); the other sites alert on their own. Pure.
 */
export function summariseSwarm(result: SwarmUpdateResult, envSite: string): CheckSummary {
  const sites = result.sites.map((outcome): SiteCheck => ({
    site: outcome.site,
    action: outcome.result?.action,
    serial: outcome.result?.serial,
    error: outcome.error,
    skipped: outcome.skipped,
  }));
  const main = sites.find((site) => site.site === envSite) ?? { site: envSite };
  return { main, others: sites.filter((site) => site !== main) };
}

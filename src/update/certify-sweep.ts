import { readDeployedSerials } from '../store-io/read-deployed.js';
import { deploySite, dryRunResult, planSite, type PlannedSite, type PreparedSite, type SiteRun } from './prepare-site.js';
import { preflightError, preflightSites } from './preflight.js';
import { challengeAddress, runPlan } from './run-plan.js';
import { readIssued } from './sweep-store.js';

/** One site of a sweep: its id (what its outcome is reported under) and its run. */
export interface SweptSite {
  id: string;
  run: SiteRun;
}

export type Certified = { ok: true; prepared: PreparedSite } | { ok: false; error: unknown };

/**
 * The certificates of a sweep's sites brought up to date, certbot one site at a time as before, with what each site
 * cost beyond certbot done once for all of them: one preflight of every due site's names (one run per 64 names), and
 * one read-back of the lineages and deployed copies certbot wrote. Each site's outcome is its own: a site whose names
 * fail the preflight fails alone, named, before the CA is asked; one certbot fails for, or left nothing in the store,
 * fails alone; a batch that cannot run at all (the container stopped) falls back to each site's own check or read.
 */
export async function certifySweep(sites: readonly SweptSite[]): Promise<Map<string, Certified>> {
  const outcomes = new Map<string, Certified>();
  const planned = new Map<string, PlannedSite>();
  for (const { id, run } of sites) {
    try {
      planned.set(id, await planSite(run));
    } catch (error) {
      outcomes.set(id, { ok: false, error });
    }
  }
  await preflightDue(sites, planned);
  const issued: (SweptSite & { planned: PlannedSite })[] = [];
  for (const site of sites) {
    const { id, run } = site;
    const plannedSite = planned.get(id);
    if (!plannedSite) continue;
    try {
      if (plannedSite.runs) await runPlan(run.ctx, run.stack, run.certbot, plannedSite.plan, run.options);
      if (run.options.dryRun) outcomes.set(id, { ok: true, prepared: dryRunResult(run, plannedSite) });
      else if (plannedSite.runs) issued.push({ ...site, planned: plannedSite });
      else
        outcomes.set(id, { ok: true, prepared: await deploySite(run, plannedSite, plannedSite.before, await plannedSite.deployedEarly) });
    } catch (error) {
      outcomes.set(id, { ok: false, error });
    }
  }
  const [first] = issued;
  if (!first) return outcomes;
  const readBack = await readIssued(
    first.run.certbot,
    issued.map((site) => site.run.ctx.config.certName),
  ).catch((error: unknown) => {
    first.run.ctx.log.debug(`could not read back the issued certificates in one run (${(error as Error).message}); reading each`);
    return undefined;
  });
  for (const { id, run, planned: plannedSite } of issued) {
    const { certName } = run.ctx.config;
    try {
      const [after, deployed] = readBack
        ? [readBack.lineages.get(certName), readBack.deployed]
        : await Promise.all([run.certbot.readLineage(certName), readDeployedSerials(run.ctx.engine, run.stack.certbot.name, certName)]);
      outcomes.set(id, { ok: true, prepared: await deploySite(run, plannedSite, after, deployed) });
    } catch (error) {
      outcomes.set(id, { ok: false, error });
    }
  }
  return outcomes;
}

/**
 * The one preflight of the sites certbot will validate for (HTTP-01, CERTKIT_PREFLIGHT on), grouped by the address
 * their names are asked at; each site's result is left in ctx.preflighted for its run (runPlan) to take. A group
 * that cannot be checked in one run is left out: each of its sites then checks its own names, as before.
 */
async function preflightDue(sites: readonly SweptSite[], planned: ReadonlyMap<string, PlannedSite>): Promise<void> {
  const groups = new Map<string | undefined, SweptSite[]>();
  for (const site of sites) {
    const { ctx, stack, options } = site.run;
    const plannedSite = planned.get(site.id);
    if (!ctx.preflighted || !plannedSite?.runs || !plannedSite.plan.validates) continue;
    if (!ctx.config.preflight || ctx.config.challenge.type === 'dns') continue;
    // Without an address (no pebble container), the site's own run reports why.
    const via = await challengeAddress(ctx, stack, options).then(
      (address) => ({ address }),
      () => undefined,
    );
    if (!via) continue;
    groups.set(via.address, [...(groups.get(via.address) ?? []), site]);
  }
  for (const [via, group] of groups) {
    const [first] = group;
    if (!first) continue;
    const { log } = first.run.ctx;
    // One due site is named by its names, as its own run would; several by their count.
    log.info(
      group.length === 1
        ? `preflight: checking ${first.run.ctx.config.domains.join(', ')} reach this nginx`
        : `preflight: checking the names of ${group.length} due sites reach this nginx`,
    );
    const asked = group.map((site) => ({ id: site.id, names: site.run.ctx.config.domains }));
    const failures = await preflightSites(first.run.certbot, asked, via).catch((error: unknown) => {
      log.debug(`the sweep's preflight could not run (${(error as Error).message}); each site checks its own names`);
      return undefined;
    });
    if (!failures) continue;
    for (const site of group) {
      const failed = failures.get(site.id);
      const share = failed ? Promise.reject(preflightError(failed)) : Promise.resolve();
      share.catch(() => undefined);
      site.run.ctx.preflighted?.set(site.run.ctx.config.certName, share);
    }
  }
}

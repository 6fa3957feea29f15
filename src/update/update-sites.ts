import type { CertbotContainer } from '../certbot/certbot-container.js';
import type { Version } from '../certbot/certbot-version.js';
import { isCertkitError } from '../errors.js';
import { NginxContainer } from '../nginx/nginx-container.js';
import type { RenderChanges } from '../render/render-project.js';
import { configForSite } from '../sites/env-site.js';
import { describeSource, type Site } from '../sites/site.js';
import type { Stack } from '../stack/find-stack.js';
import type { SiteOutcome, UpdateContext, UpdateOptions } from './update-context.js';
import { serveAlone, siteResult, type PreparedSite } from './update-site.js';
import { certifySweep, type Certified } from './certify-sweep.js';
import { serveBatch } from './serve-batch.js';
import type { PendingSite } from './serve-plan.js';

type DeployedSite = Extract<PreparedSite, { kind: 'deployed' }>;
import { lookAhead, type InitialLook } from './ensure-served.js';

/**
 * The sites beyond the .env one, one after another under the run's lock, each alone: a site that fails (its names do
 * not reach this server, the CA refuses it) is reported with its error, and the next one goes on. Each site's
 * certificate is issued or renewed and deployed in turn (certifySweep: certbot one site at a time, one preflight and
 * one read-back for all of them); then the sites it changed are served together (serveBatch): linked once, one
 * `nginx -t`, at most one reload, one wait. A renewal is served at the next handshake, with no reload; a change of a
 * site's files alone waits for the run's one reload at its end (runUpdate).
 */
export async function updateOtherSites(
  ctx: UpdateContext,
  stack: Stack,
  certbot: CertbotContainer,
  version: Version,
  sites: readonly Site[],
  render: RenderChanges,
  options: UpdateOptions,
  /** Whether nginx was already reloaded in this sweep (by the .env site's run) after this rendering. */
  reloadedBefore = false,
): Promise<SiteOutcome[]> {
  const nginx = new NginxContainer(ctx.engine, stack.nginx);
  const outcomes: SiteOutcome[] = [];
  // One reload takes every rendered file and link in: once one happened in this sweep, a site whose files changed
  // needs none of its own. The links are made once for the sweep (one `nginx -t` for all sites), and again once after
  // the sites' certificates are deployed; so a sweep of a thousand sites with nothing to do runs no per-site nginx command.
  let reloaded = reloadedBefore;
  const relinked = await linkOnce(nginx, sites, options, ctx);
  const working = sites.filter((site) => !options.waiting?.(site.id));
  const certified = await certifySweep(
    working.map((site) => ({
      id: site.id,
      run: { ctx: { ...ctx, config: configForSite(ctx.config, site) }, stack, certbot, version, render, options },
    })),
  );
  const ahead = new LookAhead(ctx, stack, sites);
  const asDeployed = new ServedAsDeployed(ctx, stack, nginx, render.configStamp);
  const pending: { site: PendingSite; prepared: DeployedSite; outcome: SiteOutcome }[] = [];
  const failed = (outcome: SiteOutcome, site: Site, error: unknown) => {
    const code = isCertkitError(error) ? error.code : undefined;
    outcome.error = { code, message: (error as Error).message };
    ctx.log.error(`site ${site.id} (${site.names.join(', ')}): ${code ? `${code}: ` : ''}${(error as Error).message}`);
  };
  for (const [index, site] of sites.entries()) {
    const outcome: SiteOutcome = { site: site.id, names: site.names, declaredIn: site.sources.map(describeSource) };
    outcomes.push(outcome);
    const waiting = options.waiting?.(site.id);
    if (waiting) {
      outcome.skipped = waiting;
      continue;
    }
    const config = configForSite(ctx.config, site);
    try {
      const prepared = certifiedSite(certified.get(site.id));
      if (prepared.kind === 'dry-run') {
        outcome.result = prepared.result;
        continue;
      }
      // Its link changed when the sweep linked the sites (its certificate came back): a reload serves it, unless one
      // happened since.
      const relinkedNow = relinked === undefined ? prepared.untouched : relinked.has(site.id) && !reloaded;
      if (!prepared.untouched || relinkedNow) {
        const names = config.domains;
        pending.push({
          site: { id: site.id, names, serial: prepared.after.serial, changed: !prepared.untouched, relinked: relinkedNow },
          prepared,
          outcome,
        });
        continue;
      }
      const serving = (await asDeployed.holds())
        ? { served: config.domains.map((name) => ({ name, serial: prepared.after.serial })), reloaded: false }
        : await serveAlone({ ...ctx, config }, stack, render, prepared.after.serial, {
            forceReload: false,
            deferConfigReload: true,
            siteMode: 'auto',
            initial: ahead.take(index),
          });
      outcome.result = siteResult(prepared, serving.served, serving.reloaded);
      if (serving.reloaded) {
        reloaded = true;
        ahead.forget();
        asDeployed.forget();
      }
    } catch (error) {
      // A run that failed may have reloaded nginx before it did: answers asked before are not to be trusted.
      ahead.forget();
      asDeployed.forget();
      failed(outcome, site, error);
    }
  }
  if (pending.length === 0) return outcomes;
  asDeployed.forget();
  const served = await serveBatch({
    ctx,
    stack,
    nginx,
    sites: pending.map((entry) => entry.site),
    configStamp: render.configStamp,
    link: relinked === undefined || pending.some((entry) => entry.site.changed),
    servedAsDeployed: () => {
      asDeployed.forget();
      return asDeployed.holds();
    },
  });
  for (const { site, prepared, outcome } of pending) {
    const done = served.get(site.id);
    if (done?.ok) outcome.result = siteResult(prepared, done.served, done.reloaded);
    else failed(outcome, sites.find((declared) => declared.id === site.id) as Site, done?.error ?? new Error('not served'));
  }
  return outcomes;
}

/** A site's certificate as certifySweep left it, or its error. */
function certifiedSite(certified: Certified | undefined): PreparedSite {
  if (!certified) throw new Error('not worked on in this sweep');
  if (!certified.ok) throw certified.error;
  return certified.prepared;
}

/**
 * The sites whose link changed when linked once for the sweep; undefined when that failed (nginx refused the sites'
 * configuration): each site then links for itself, and reports nginx's refusal as its own failure, as before.
 */
async function linkOnce(
  nginx: NginxContainer,
  sites: readonly Site[],
  options: UpdateOptions,
  ctx: UpdateContext,
): Promise<Set<string> | undefined> {
  if (sites.length === 0 || options.dryRun || ctx.config.nginx.mode !== 'kit') return undefined;
  try {
    return new Set(await nginx.linkSites());
  } catch (error) {
    ctx.log.debug(`linking the sites once for the sweep failed; each site links for itself: ${(error as Error).message}`);
    return undefined;
  }
}

/** How many sites ahead a sweep asks nginx what it serves: enough to overlap the handshakes, few enough to stay polite. */
const LOOK_AHEAD = 16;

/**
 * nginx's answers (the serial per name, the stamp it runs) for the next sites of a sweep, asked while the current one
 * runs, so a sweep of sites with nothing to do does not wait for each handshake in turn. Forgotten at every reload.
 */
class LookAhead {
  private readonly looks = new Map<number, InitialLook | undefined>();

  constructor(
    private readonly ctx: UpdateContext,
    private readonly stack: Stack,
    private readonly sites: readonly Site[],
  ) {}

  take(index: number): InitialLook | undefined {
    for (let next = index; next < Math.min(index + LOOK_AHEAD, this.sites.length); next += 1) {
      const site = this.sites[next];
      if (this.looks.has(next) || !site) continue;
      this.looks.set(next, lookAhead({ ...this.ctx, stack: this.stack, names: site.names }));
    }
    const look = this.looks.get(index);
    this.looks.delete(index);
    return look;
  }

  forget(): void {
    this.looks.clear();
  }
}

/**
 * What lets a sweep skip the handshakes of sites it changed nothing of, asked of nginx once (and again after a
 * reload): nginx runs the rendered configuration (its stamp: every site's files and links as rendered) and reads
 * the certificate at each handshake (so it presents the deployed bundle, whose serial the sweep compared with the
 * store). A thousand handshakes cost seconds on a small machine; these two questions cost one exec and one request.
 */
class ServedAsDeployed {
  private facts: Promise<boolean> | undefined;

  constructor(
    private readonly ctx: UpdateContext,
    private readonly stack: Stack,
    private readonly nginx: NginxContainer,
    private readonly stamp: string,
  ) {}

  holds(): Promise<boolean> {
    this.facts ??= this.ask().catch(() => false);
    return this.facts;
  }

  forget(): void {
    this.facts = undefined;
  }

  private async ask(): Promise<boolean> {
    if (this.ctx.config.nginx.mode !== 'kit') return false;
    const look = lookAhead({ ...this.ctx, stack: this.stack, names: this.ctx.config.domains });
    if (!look) return false;
    const [loading, running] = await Promise.all([this.nginx.certificateLoading(), look.running]);
    return (loading === 'cached' || loading === 'handshake') && running.stamp === this.stamp;
  }
}

import type { CertbotContainer } from '../certbot/certbot-container.js';
import type { Version } from '../certbot/certbot-version.js';
import { isCertkitError } from '../errors.js';
import { NginxContainer } from '../nginx/nginx-container.js';
import type { RenderChanges } from '../render/render-project.js';
import { describeSource } from '../sites/site.js';
import type { Stack } from '../stack/find-stack.js';
import type { SiteOutcome, UpdateContext, UpdateOptions } from './update-context.js';
import { serveAlone, siteResult, type PreparedSite } from './update-site.js';
import { certifySweep, type Certified } from './certify-sweep.js';
import { serveBatch } from './serve-batch.js';
import type { PendingSite } from './serve-plan.js';
import { LookAhead, ServedAsDeployed } from './sweep-looks.js';
import type { ConfigReload, MemberResult, SweepMember } from './sweep-members.js';

type DeployedSite = Extract<PreparedSite, { kind: 'deployed' }>;

/**
 * Every site of a run, the .env one first, one after another under the run's lock, each alone: a site that fails (its
 * names do not reach this server, the CA refuses it) is reported with its error, and the next one goes on. Each site's
 * certificate is issued or renewed and deployed in turn (certifySweep: certbot one site at a time, one preflight and
 * one read-back for all of them); then the sites it changed are served together (serveBatch): linked once, one
 * `nginx -t`, at most one reload, one wait. A renewal is served at the next handshake, with no reload; a change of a
 * site's files alone waits for the run's one reload at its end (runUpdate) when `configReload` is `end`. The app's own
 * nginx (CERTKIT_NGINX_MODE=own) turns HTTPS on and reloads its own way: there each site is served alone.
 */
export async function updateSites(
  ctx: UpdateContext,
  stack: Stack,
  certbot: CertbotContainer,
  version: Version,
  members: readonly SweepMember[],
  render: RenderChanges,
  options: UpdateOptions,
  configReload: ConfigReload,
): Promise<MemberResult[]> {
  const nginx = new NginxContainer(ctx.engine, stack.nginx);
  const kit = ctx.config.nginx.mode === 'kit';
  const sites = members.map((member) => member.site);
  const results: MemberResult[] = [];
  // A configuration change this run rendered, reloaded by the site's own serving (a run of one site, the app's nginx).
  const reloadHere = configReload === 'site' && render.nginxChanged;
  // One reload takes every rendered file and link in: once one happened in this sweep, a site whose files changed
  // needs none of its own. The links are made once for the sweep (one `nginx -t` for all sites), and again once after
  // the sites' certificates are deployed; so a sweep of a thousand sites with nothing to do runs no per-site nginx command.
  let reloaded = false;
  // The .env site's file is selected, not linked: only the other sites' links are made here. Beside the certificates'
  // work (preflight, certbot, read-back, all in the certbot container): a link on disk changes nothing nginx serves
  // until a reload, and the sites' serving below starts once both are done.
  const linking = linkOnce(nginx, members.filter((member) => !member.selects).length, options, ctx);
  const certified = await certifySweep(
    members
      .filter((member) => !options.waiting?.(member.site.id))
      .map((member) => ({
        id: member.site.id,
        run: { ctx: { ...ctx, config: member.config }, stack, certbot, version, render, options },
      })),
  );
  const relinked = await linking;
  const ahead = new LookAhead(ctx, stack, sites);
  const asDeployed = new ServedAsDeployed(ctx, stack, nginx, render.configStamp);
  const pending: { site: PendingSite; prepared: DeployedSite; result: MemberResult }[] = [];
  for (const [index, { site, config, selects }] of members.entries()) {
    const outcome: SiteOutcome = { site: site.id, names: site.names, declaredIn: site.sources.map(describeSource) };
    const result: MemberResult = { outcome };
    results.push(result);
    const waiting = options.waiting?.(site.id);
    if (waiting) {
      outcome.skipped = waiting;
      continue;
    }
    try {
      const prepared = certifiedSite(certified.get(site.id));
      if (prepared.kind === 'dry-run') {
        outcome.result = prepared.result;
        continue;
      }
      const siteMode = selects ? 'https' : 'auto';
      if (!kit) {
        const serving = await serveAlone({ ...ctx, config }, stack, render, prepared.after.serial, {
          forceReload: reloadHere,
          deferConfigReload: false,
          siteMode,
        });
        outcome.result = siteResult(prepared, serving.served, serving.reloaded);
        continue;
      }
      // Its link changed when the sweep linked the sites (its certificate came back): a reload serves it, unless one
      // happened since.
      const relinkedNow = relinked === undefined ? prepared.untouched && !selects : relinked.has(site.id) && !reloaded;
      if (!prepared.untouched || relinkedNow || (reloadHere && !reloaded)) {
        const names = config.domains;
        pending.push({
          site: {
            id: site.id,
            names,
            serial: prepared.after.serial,
            changed: !prepared.untouched,
            relinked: relinkedNow || reloadHere,
            selects,
          },
          prepared,
          result,
        });
        continue;
      }
      const serving = (await asDeployed.holds())
        ? { served: config.domains.map((name) => ({ name, serial: prepared.after.serial })), reloaded: false }
        : await serveAlone({ ...ctx, config }, stack, render, prepared.after.serial, {
            forceReload: false,
            deferConfigReload: configReload === 'end',
            siteMode,
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
      failed(result, error);
    }
  }
  if (pending.length === 0) return results;
  asDeployed.forget();
  const served = await serveBatch({
    ctx,
    stack,
    nginx,
    sites: pending.map((entry) => entry.site),
    configStamp: render.configStamp,
    link: pending.some((entry) => !entry.site.selects && (relinked === undefined || entry.site.changed)),
    servedAsDeployed: () => {
      asDeployed.forget();
      return asDeployed.holds();
    },
  });
  for (const { site, prepared, result } of pending) {
    const done = served.get(site.id);
    if (done?.ok) result.outcome.result = siteResult(prepared, done.served, done.reloaded);
    else failed(result, done?.error ?? new Error('not served'));
  }
  return results;
}

/** A site's failure: its error kept (the .env site's is the run's), its code and message in its outcome. */
function failed(result: MemberResult, error: unknown): void {
  const code = isCertkitError(error) ? error.code : undefined;
  result.error = error;
  result.outcome.error = { code, message: (error as Error).message };
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
  linkedSites: number,
  options: UpdateOptions,
  ctx: UpdateContext,
): Promise<Set<string> | undefined> {
  if (linkedSites === 0 || options.dryRun || ctx.config.nginx.mode !== 'kit') return undefined;
  try {
    return new Set(await nginx.linkSites());
  } catch (error) {
    ctx.log.debug(`linking the sites once for the sweep failed; each site links for itself: ${(error as Error).message}`);
    return undefined;
  }
}

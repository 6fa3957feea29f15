import type { CertbotContainer } from '../certbot/certbot-container.js';
import type { Version } from '../certbot/certbot-version.js';
import { isCertkitError } from '../errors.js';
import { NginxContainer } from '../nginx/nginx-container.js';
import type { RenderChanges } from '../render/render-project.js';
import { configForSite } from '../sites/env-site.js';
import { describeSource, type Site } from '../sites/site.js';
import type { Stack } from '../stack/find-stack.js';
import type { SiteOutcome, UpdateContext, UpdateOptions } from './update-context.js';
import { updateSite } from './update-site.js';

/**
 * The sites beyond the .env one, one after another under the run's lock, each alone: a site that fails (its names do
 * not reach this server, the CA refuses it) is reported with its error, and the next one goes on. A site whose
 * certificate was just deployed for the first time is linked to its HTTPS file and nginx reloaded (after `nginx -t`);
 * a renewal is served at the next handshake, with no reload; a change of its files alone waits for the run's one
 * reload at its end (runUpdate).
 */
export async function updateOtherSites(
  ctx: UpdateContext,
  stack: Stack,
  certbot: CertbotContainer,
  version: Version,
  sites: readonly Site[],
  render: RenderChanges,
  options: UpdateOptions,
): Promise<SiteOutcome[]> {
  const nginx = new NginxContainer(ctx.engine, stack.nginx);
  const outcomes: SiteOutcome[] = [];
  for (const site of sites) {
    const outcome: SiteOutcome = { site: site.id, names: site.names, declaredIn: site.sources.map(describeSource) };
    const waiting = options.waiting?.(site.id);
    if (waiting) {
      outcomes.push({ ...outcome, skipped: waiting });
      continue;
    }
    try {
      outcome.result = await updateSite({ ...ctx, config: configForSite(ctx.config, site) }, stack, certbot, version, render, options, {
        // Its files changing (routing, or only the stamp every site's change puts in every file) is reloaded once at
        // the end of the run; its link changing (its first certificate) is reloaded now, so it is served and verified.
        forceReload: false,
        siteMode: 'auto',
        prepare: async () => (await nginx.linkSites()).length > 0,
        deferConfigReload: true,
      });
    } catch (error) {
      const code = isCertkitError(error) ? error.code : undefined;
      outcome.error = { code, message: (error as Error).message };
      ctx.log.error(`site ${site.id} (${site.names.join(', ')}): ${code ? `${code}: ` : ''}${(error as Error).message}`);
    }
    outcomes.push(outcome);
  }
  return outcomes;
}

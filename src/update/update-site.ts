import type { RenderChanges } from '../render/render-project.js';
import type { Stack } from '../stack/find-stack.js';
import { ownNginxOf } from '../nginx/own-nginx.js';
import { ensureServed } from './ensure-served.js';
import type { PreparedSite } from './prepare-site.js';
import type { UpdateContext, UpdateResult } from './update-context.js';

export type { PreparedSite, SiteRun } from './prepare-site.js';

/** Makes nginx serve this site's serial and verifies it, for this site alone (ensureServed). */
export function serveAlone(
  ctx: UpdateContext,
  stack: Stack,
  render: RenderChanges,
  serial: string,
  serving: Pick<Parameters<typeof ensureServed>[0], 'forceReload' | 'deferConfigReload' | 'siteMode' | 'initial'>,
): ReturnType<typeof ensureServed> {
  return ensureServed({
    engine: ctx.engine,
    stack,
    self: ctx.self,
    log: ctx.log,
    now: ctx.now,
    sleep: ctx.sleep,
    probe: ctx.probe,
    names: ctx.config.domains,
    serial,
    configProbe: ctx.configProbe,
    configStamp: render.configStamp,
    ownNginx: ownNginxOf(ctx.config),
    ...serving,
  });
}

/** The site's result once nginx serves it (or is known to). */
export function siteResult(
  prepared: Extract<PreparedSite, { kind: 'deployed' }>,
  served: UpdateResult['served'],
  reloaded: boolean,
): UpdateResult {
  const { before, after, plan } = prepared;
  const action =
    before === undefined ? 'issued' : before.serial === after.serial ? 'unchanged' : plan.action === 'reissue' ? 'reissued' : 'renewed';
  return {
    certName: prepared.certName,
    domains: after.domains,
    action,
    reasons: plan.reasons,
    serial: after.serial,
    notAfter: after.notAfter,
    profile: prepared.profile,
    served,
    reloaded,
    rendered: prepared.rendered,
  };
}

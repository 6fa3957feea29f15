import type { RenderChanges } from '../render/render-project.js';
import type { Stack } from '../stack/find-stack.js';
import { ownNginxOf } from '../nginx/own-nginx.js';
import { ensureServed, type InitialLook } from './ensure-served.js';
import { prepareSite, type PreparedSite, type SiteRun } from './prepare-site.js';
import type { UpdateContext, UpdateResult } from './update-context.js';

export type { PreparedSite, SiteRun } from './prepare-site.js';

/** How a site is brought to nginx once its certificate is deployed. */
export interface Serving {
  /** Reload nginx even when it already serves the serial (its configuration changed). */
  forceReload: boolean;
  /** How the .env site is selected at a reload: https (the .env site itself), auto (another site's run). */
  siteMode: 'https' | 'auto';
  /** A configuration change alone is reloaded once at the end of the run (see ensureServed). */
  deferConfigReload?: boolean;
  /**
   * Called once the certificate is deployed (`deployedNow`: by this run); true asks for a reload (a site's link just
   * changed).
   */
  prepare?: (deployedNow: boolean) => Promise<boolean>;
  /** nginx's answers for this site asked ahead by the sweep; used only when this run changed nothing of the site. */
  lookedAhead?: () => InitialLook | undefined;
  /**
   * Whether the sweep has seen nginx run this rendering and read certificates at handshakes: then a site this run
   * changed nothing of, whose deployed copy is its serial, is served as deployed without a handshake of its own.
   */
  servedAsDeployed?: () => Promise<boolean>;
}

/**
 * One site's run: plan (renew when due, reissue when its names changed), certbot, deploy when the deployed copy is
 * not this serial, then make nginx serve it and verify it does. `run.ctx.config` is the site's (configForSite).
 */
export async function updateSite(run: SiteRun, serving: Serving): Promise<UpdateResult> {
  const prepared = await prepareSite(run);
  if (prepared.kind === 'dry-run') return prepared.result;
  const { ctx, stack, render } = run;
  const { after, untouched } = prepared;
  const forceReload = ((await serving.prepare?.(prepared.deployedNow)) ?? false) || serving.forceReload;
  const known = untouched && !forceReload && ((await serving.servedAsDeployed?.()) ?? false);
  const { served, reloaded } = known
    ? { served: ctx.config.domains.map((name) => ({ name, serial: after.serial })), reloaded: false }
    : await serveAlone(ctx, stack, render, after.serial, {
        forceReload,
        deferConfigReload: serving.deferConfigReload,
        siteMode: serving.siteMode,
        initial: untouched ? serving.lookedAhead?.() : undefined,
      });
  return siteResult(prepared, served, reloaded);
}

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

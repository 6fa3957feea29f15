import type { CertbotContainer } from '../certbot/certbot-container.js';
import { formatVersion, type Version } from '../certbot/certbot-version.js';
import { planCertbotRun } from '../certbot/plan-certbot-run.js';
import { certbotNeeded } from '../certbot/sweep-decision.js';
import { readRenewalWindows } from '../certbot/read-renewal-window.js';
import type { RenewalWindow } from '../certbot/renewal-window.js';
import type { CertbotPlan, ExistingCertificate } from '../certbot/plan-certbot-run.js';
import { CertkitError } from '../errors.js';
import type { RenderChanges } from '../render/render-project.js';
import type { Stack } from '../stack/find-stack.js';
import { deployedState } from '../store/deployed-copies.js';
import { readDeployedSerials } from '../store-io/read-deployed.js';
import { ownNginxOf } from '../nginx/own-nginx.js';
import { ensureServed, type InitialLook } from './ensure-served.js';
import { runPlan } from './run-plan.js';
import type { UpdateContext, UpdateOptions, UpdateResult } from './update-context.js';

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
 * not this serial, then make nginx serve it and verify it does. `ctx.config` is the site's (configForSite).
 */
export async function updateSite(
  ctx: UpdateContext,
  stack: Stack,
  certbot: CertbotContainer,
  version: Version,
  render: RenderChanges,
  options: UpdateOptions,
  serving: Serving,
): Promise<UpdateResult> {
  const prepared = await prepareSite(ctx, stack, certbot, version, render, options);
  if (prepared.kind === 'dry-run') return prepared.result;
  const { config } = ctx;
  const { after, untouched } = prepared;
  const forceReload = ((await serving.prepare?.(prepared.deployedNow)) ?? false) || serving.forceReload;
  const known = untouched && !forceReload && ((await serving.servedAsDeployed?.()) ?? false);
  const { served, reloaded } = known
    ? { served: config.domains.map((name) => ({ name, serial: after.serial })), reloaded: false }
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

/** A site's certificate brought up to date in the store and the deploy folder, before nginx is asked to serve it. */
export type PreparedSite =
  | { kind: 'dry-run'; result: UpdateResult }
  | {
      kind: 'deployed';
      certName: string;
      before: ExistingCertificate | undefined;
      after: ExistingCertificate;
      plan: CertbotPlan;
      /** certbot ran for it in this run. */
      runs: boolean;
      /** certkit ran the deploy hook in this run (certbot runs it itself when it issues or renews). */
      deployedNow: boolean;
      /** Nothing of it changed in this run (no certbot, no deploy): its serving may be taken as known. */
      untouched: boolean;
      profile: string | undefined;
      rendered: string[];
    };

/**
 * The first part of a site's run: plan, certbot when needed, deploy when the deployed copy is not the store's serial.
 * Serving is the caller's: one site at a time (updateSite) or every site of a sweep at once (serveBatch).
 */
export async function prepareSite(
  ctx: UpdateContext,
  stack: Stack,
  certbot: CertbotContainer,
  version: Version,
  render: RenderChanges,
  options: UpdateOptions,
): Promise<PreparedSite> {
  const { log, config } = ctx;
  const before = ctx.sweep ? await ctx.sweep.lineage(config.certName) : await certbot.readLineage(config.certName);
  const rendered = render.files;
  // Read beside the CA's renewal window; used only when certbot does not run (else read again after it).
  const deployedEarly = ctx.deployedSerials ?? readDeployedSerials(ctx.engine, stack.certbot.name);
  deployedEarly.catch(() => undefined);
  const renewalWindow = before && !options.dryRun ? await windowFor(ctx, certbot, before) : undefined;
  const plan = planCertbotRun({ config, existing: before, certbot: version, now: ctx.now(), renewalWindow, ...options });
  const runs = certbotNeeded(plan, before);
  log.info(`${config.certName}: ${runs ? plan.action : 'keep'} (${plan.reasons.join('; ')}) with certbot ${formatVersion(version)}`);
  if (runs) await runPlan(ctx, stack, certbot, plan, options);
  if (options.dryRun) {
    return {
      kind: 'dry-run',
      result: {
        certName: config.certName,
        domains: config.domains,
        action: 'dry-run',
        reasons: plan.reasons,
        serial: before?.serial,
        notAfter: before?.notAfter,
        profile: config.profile,
        served: [],
        reloaded: false,
        rendered,
      },
    };
  }

  // After certbot, the lineage and its deployed copy (certbot's deploy hook wrote it) are read together.
  const [after, deployedSerials] = runs
    ? await Promise.all([certbot.readLineage(config.certName), readDeployedSerials(ctx.engine, stack.certbot.name, config.certName)])
    : [before, await deployedEarly];
  if (!after)
    throw new CertkitError(
      'CERTBOT_FAILED',
      `certbot reported success but ${config.certName} is not in its store; run \`certkit doctor\`.`,
    );
  // A changed deploy hook (mode, owner, file modes in .env) re-materializes the files even when the serial is the same.
  const deployed = deployedState(deployedSerials, config.certName, after.serial);
  const deployedNow = render.deployHookChanged || deployed !== 'ok';
  if (deployedNow) {
    log.info(`deploying ${config.certName} to the folder nginx reads`);
    await certbot.runDeployHook(config.certName);
  }
  return {
    kind: 'deployed',
    certName: config.certName,
    before,
    after,
    plan,
    runs,
    deployedNow,
    untouched: !runs && !deployedNow && deployed === 'ok',
    profile: after.renewal?.profile ?? config.profile,
    rendered,
  };
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

/** The CA's renewal window: the sweep's (cached or asked in one batch), else asked for this site alone. */
async function windowFor(ctx: UpdateContext, certbot: CertbotContainer, before: ExistingCertificate): Promise<RenewalWindow | undefined> {
  const certName = ctx.config.certName;
  if (ctx.sweep) return ctx.sweep.window(certName);
  const asked = [{ certName, directoryUrl: before.renewal?.server ?? ctx.config.server.url }];
  return (await readRenewalWindows(certbot, asked, ctx.log, ctx.now)).get(certName)?.window;
}

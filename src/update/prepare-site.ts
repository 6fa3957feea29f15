import type { CertbotContainer } from '../certbot/certbot-container.js';
import { formatVersion, type Version } from '../certbot/certbot-version.js';
import { planCertbotRun, type CertbotPlan, type ExistingCertificate } from '../certbot/plan-certbot-run.js';
import { readRenewalWindows } from '../certbot/read-renewal-window.js';
import type { RenewalWindow } from '../certbot/renewal-window.js';
import { certbotNeeded } from '../certbot/sweep-decision.js';
import { CertkitError } from '../errors.js';
import type { RenderChanges } from '../render/render-project.js';
import type { Stack } from '../stack/find-stack.js';
import { deployedState, type DeployedSerials } from '../store/deployed-copies.js';
import { readDeployedSerials } from '../store-io/read-deployed.js';
import type { UpdateContext, UpdateOptions, UpdateResult } from './update-context.js';

/** What one site's run works with; `ctx.config` is the site's (configForSite). */
export interface SiteRun {
  ctx: UpdateContext;
  stack: Stack;
  certbot: CertbotContainer;
  version: Version;
  render: RenderChanges;
  options: UpdateOptions;
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

/** What a site's run decided before certbot: the lineage it found, the plan, whether certbot runs. */
export interface PlannedSite {
  before: ExistingCertificate | undefined;
  plan: CertbotPlan;
  runs: boolean;
  /** The deploy folder's serials, read beside the plan: used only when certbot does not run (else read again after). */
  deployedEarly: Promise<DeployedSerials | undefined>;
}

/** The first phase: the lineage (the sweep's, else read), the CA's renewal window, the plan, whether certbot runs. */
export async function planSite(run: SiteRun): Promise<PlannedSite> {
  const { ctx, certbot, options } = run;
  const { config } = ctx;
  const before = ctx.sweep ? await ctx.sweep.lineage(config.certName) : await certbot.readLineage(config.certName);
  const deployedEarly = ctx.deployedSerials ?? readDeployedSerials(ctx.engine, run.stack.certbot.name);
  deployedEarly.catch(() => undefined);
  const renewalWindow = before && !options.dryRun ? await windowFor(ctx, certbot, before) : undefined;
  const plan = planCertbotRun({ config, existing: before, certbot: run.version, now: ctx.now(), renewalWindow, ...options });
  const runs = certbotNeeded(plan, before);
  ctx.log.info(
    `${config.certName}: ${runs ? plan.action : 'keep'} (${plan.reasons.join('; ')}) with certbot ${formatVersion(run.version)}`,
  );
  return { before, plan, runs, deployedEarly };
}

/** A dry run's result: certbot's own dry run ran (when due), nothing was deployed. */
export function dryRunResult(run: SiteRun, planned: PlannedSite): PreparedSite {
  const { config } = run.ctx;
  const { before, plan } = planned;
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
      rendered: run.render.files,
    },
  };
}

/**
 * The last phase, with the lineage after certbot (`after`) and the deploy folder's serials: the deploy hook when the
 * deployed copy is not this serial (or the hook changed).
 */
export async function deploySite(
  run: SiteRun,
  planned: PlannedSite,
  after: ExistingCertificate | undefined,
  deployedSerials: DeployedSerials | undefined,
): Promise<PreparedSite> {
  const { config, log } = run.ctx;
  if (!after)
    throw new CertkitError(
      'CERTBOT_FAILED',
      `certbot reported success but ${config.certName} is not in its store; run \`certkit doctor\`.`,
    );
  // A changed deploy hook (mode, owner, file modes in .env) re-materializes the files even when the serial is the same.
  const deployed = deployedState(deployedSerials, config.certName, after.serial);
  const deployedNow = run.render.deployHookChanged || deployed !== 'ok';
  if (deployedNow) {
    log.info(`deploying ${config.certName} to the folder nginx reads`);
    await run.certbot.runDeployHook(config.certName);
  }
  return {
    kind: 'deployed',
    certName: config.certName,
    before: planned.before,
    after,
    plan: planned.plan,
    runs: planned.runs,
    deployedNow,
    untouched: !planned.runs && !deployedNow && deployed === 'ok',
    profile: after.renewal?.profile ?? config.profile,
    rendered: run.render.files,
  };
}

/** The CA's renewal window: the sweep's (cached or asked in one batch), else asked for this site alone. */
async function windowFor(ctx: UpdateContext, certbot: CertbotContainer, before: ExistingCertificate): Promise<RenewalWindow | undefined> {
  const certName = ctx.config.certName;
  if (ctx.sweep) return ctx.sweep.window(certName);
  const asked = [{ certName, directoryUrl: before.renewal?.server ?? ctx.config.server.url }];
  return (await readRenewalWindows(certbot, asked, ctx.log, ctx.now)).get(certName)?.window;
}

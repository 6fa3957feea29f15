import { CertbotContainer } from '../certbot/certbot-container.js';
import { certbotSupportProblems } from '../certbot/certbot-support.js';
import type { Version } from '../certbot/certbot-version.js';
import type { Config, SwarmConfig } from '../config/config.js';
import { configError } from '../config/load-config.js';
import type { Engine } from '../docker/engine.js';
import { CertkitError, isCertkitError } from '../errors.js';
import type { Logger } from '../log.js';
import { collectSites } from '../sites/collect-sites.js';
import { envSite, siteDefaults } from '../sites/env-site.js';
import { describeRefusal, describeSource } from '../sites/site.js';
import { acquireRunLock } from '../update/run-lock.js';
import { readCertbotVersion } from '../update/update.js';
import type { Sleep } from '../wait-for.js';
import { renderSwarmNginx } from './render-swarm-nginx.js';
import { requireSwarmManager, stackService } from './require-manager.js';
import { certbotTaskHere, nginxAddressFor } from './serving-plan.js';
import { stackServiceDeclarations } from './stack-sites.js';
import type { StackApi } from './swarm-api.js';
import { updateSwarmSite, type SwarmSiteResult } from './swarm-site.js';
import type { SiteCertificate } from './rotate-site.js';
import { rollOutSweep } from './sweep-rollout.js';
import { stageNginxConf, type NginxConfChange } from './update-nginx-conf.js';

export interface SwarmUpdateContext {
  api: StackApi;
  /** This node's engine: exec into the certbot task's container. */
  engine: Engine;
  config: Config & { swarm: SwarmConfig };
  envFile: string | undefined;
  log: Logger;
  now: () => Date;
  sleep: Sleep;
  lockWaitMs: number;
  certbotVersions?: Map<string, Version>;
  /** How often a rollout is looked at (1 s by default). */
  intervalMs?: number;
}

export interface SwarmUpdateOptions {
  force?: boolean;
  dryRun?: boolean;
  purpose: string;
  sites?: readonly string[];
  /**
   * Why a site waits this run (the daemon's per-site backoff, src/update/site-backoff.ts): certbot does not run for
   * it; its certificate, if the store has one, is served as it is (put back when a redeploy dropped its secret).
   */
  waiting?: (site: string) => string | undefined;
}

export interface SwarmSiteOutcome {
  site: string;
  names: string[];
  declaredIn: string[];
  result?: SwarmSiteResult;
  error?: { code: string | undefined; message: string };
  /** Why certbot did not run for it this check (backing off alone after its failures). */
  skipped?: string;
}

export interface SwarmUpdateResult {
  stack: string;
  nginxConf: NginxConfChange;
  sites: SwarmSiteOutcome[];
  refused: string[];
}

/**
 * `certkit update` on Swarm (CERTKIT_SWARM_STACK): the stack's services through the manager's API, the sites of
 * `.env` and of the services' `deploy.labels`, nginx.conf rendered for them; each site alone: certbot by exec in the
 * certbot task on this node; then what the nginx service should mount (nginx.conf, secrets rotated in or put back) in
 * one rolling update for the whole sweep. One run at a time, under the lock in the certbot container, as on Compose.
 */
export async function runSwarmUpdate(ctx: SwarmUpdateContext, options: SwarmUpdateOptions): Promise<SwarmUpdateResult> {
  const { api, log, config } = ctx;
  const stack = config.swarm.stack;
  const swarm = await requireSwarmManager(api, stack);
  const services = await api.listStackServices(stack);
  const nginx = stackService(services, config.nginx.service, stack);
  const certbotService = stackService(services, 'certbot', stack);
  const certbotTask = certbotTaskHere(await api.listTasks(certbotService.id), swarm.nodeId, certbotService.name, stack);
  // By its name (STACK_certbot.1.TASK), which the socket proxy's rules can scope to this stack; its id otherwise.
  const certbotContainer = certbotTask.containerName ?? certbotTask.containerId;
  const container = await ctx.engine.inspectContainer(certbotContainer);
  const certbot = new CertbotContainer(ctx.engine, certbotContainer, log, { pluginPath: config.trustedPlugins.length > 0 });
  const version = await readCertbotVersion(certbot, { id: certbotTask.containerId, startedAt: container?.startedAt }, ctx.certbotVersions);
  const unsupported = certbotSupportProblems(config, version);
  if (unsupported.length > 0) throw configError(unsupported);
  const release = await acquireRunLock(ctx.engine, certbotContainer, {
    waitMs: ctx.lockWaitMs,
    log,
    now: ctx.now,
    sleep: ctx.sleep,
    purpose: options.purpose,
  });
  try {
    const siteSet = collectSites(envSite(config, ctx.envFile), stackServiceDeclarations(stack, services), siteDefaults(config));
    for (const refusal of siteSet.refused) log.warn(`site refused: ${describeRefusal(refusal)}`);
    const unknown = (options.sites ?? []).filter((id) => !siteSet.sites.some((site) => site.id === id));
    if (unknown.length > 0) {
      throw new CertkitError(
        'USAGE',
        `no site is named ${unknown.join(', ')}; the sites are ${siteSet.sites.map((site) => site.id).join(', ')} (\`certkit sites\` lists them)`,
      );
    }
    const spec = (await api.inspectService(nginx.id)).spec;
    const monitorMs = Math.round((spec.UpdateConfig?.Monitor ?? 10_000_000_000) / 1_000_000);
    const replicas = spec.Mode?.Replicated?.Replicas ?? 1;
    // Each task: started, healthy (a check every few seconds), watched for the monitor window; one at a time.
    const rollout = { monitorMs, timeoutMs: 60_000 + replicas * (monitorMs + 60_000), intervalMs: ctx.intervalMs ?? 1_000 };
    const conf = await stageNginxConf({
      api,
      stack,
      service: nginx.id,
      text: await renderSwarmNginx(siteSet.sites),
      dryRun: options.dryRun === true,
      log,
    });
    // The local test CA resolves every name through its DNS: pointed at an nginx task certbot's network reaches, asked
    // again before each validation, as every rotation replaces the tasks (and their addresses).
    const nginxAddressForPebble = async () => {
      const address = nginxAddressFor(await api.listTasks(nginx.id), certbotTask);
      if (!address) {
        throw new CertkitError(
          'STACK_NOT_RUNNING',
          `CERTBOT_SERVER=pebble, but no task of ${nginx.name} shares a network with ${certbotService.name}`,
        );
      }
      return address;
    };
    const sites: Array<{ outcome: SwarmSiteOutcome; pending: SiteCertificate | undefined }> = [];
    for (const site of siteSet.sites.filter((entry) => options.sites === undefined || options.sites.includes(entry.id))) {
      const outcome: SwarmSiteOutcome = { site: site.id, names: site.names, declaredIn: site.sources.map(describeSource) };
      let pending: SiteCertificate | undefined;
      const waiting = options.waiting?.(site.id);
      if (waiting) {
        outcome.skipped = waiting;
        log.info(`site ${site.id}: waits (${waiting}); certbot does not run for it this check`);
      }
      try {
        const run = {
          waiting,
          api,
          certbot,
          version,
          config,
          stack,
          nginxService: nginx.name,
          nginxAddressForPebble,
          force: options.force === true,
          dryRun: options.dryRun === true,
          now: ctx.now,
          sleep: ctx.sleep,
          log,
        };
        // The key stays out of the result (printed, or given as JSON).
        const done = await updateSwarmSite(run, site);
        if (done) {
          const { pending: certificate, ...result } = done;
          outcome.result = result;
          pending = certificate;
        }
      } catch (error) {
        // One site's failure is its own: the others go on.
        log.error(`site ${site.id}: ${(error as Error).message}`);
        outcome.error = { code: isCertkitError(error) ? error.code : undefined, message: (error as Error).message };
      }
      sites.push({ outcome, pending });
    }
    // Every site's new or dropped secret and nginx.conf: one rolling update of the nginx service for the sweep.
    const nginxConf = await rollOutSweep({ api, stack, service: nginx.id, sites, conf, rollout, now: ctx.now, sleep: ctx.sleep, log });
    const outcomes = sites.map((entry) => entry.outcome);
    return { stack, nginxConf, sites: outcomes, refused: siteSet.refused.map(describeRefusal) };
  } finally {
    await release().catch((error: unknown) => log.debug(`could not release the lock: ${(error as Error).message}`));
  }
}

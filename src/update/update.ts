import type { CertbotContainer } from '../certbot/certbot-container.js';
import { CertbotContainer as Certbot } from '../certbot/certbot-container.js';
import { certbotSupportProblems } from '../certbot/certbot-support.js';
import { formatVersion, parseCertbotVersion, type Version } from '../certbot/certbot-version.js';
import { planCertbotRun, planForcedReissue, type CertbotPlan } from '../certbot/plan-certbot-run.js';
import { readRenewalWindow } from '../certbot/read-renewal-window.js';
import type { Config } from '../config/config.js';
import { isIpAddress } from '../config/ip-address.js';
import { configError } from '../config/load-config.js';
import type { Engine, ServiceContainer } from '../docker/engine.js';
import { CertkitError, isCertkitError } from '../errors.js';
import type { Logger } from '../log.js';
import { ownNginxOf } from '../nginx/own-nginx.js';
import { renderProject } from '../render/render-project.js';
import { findStack, type Stack } from '../stack/find-stack.js';
import { CERTBOT_VERSION_FILE } from '../stack/layout.js';
import { addressOnSharedNetwork } from '../stack/shared-network.js';
import { deployedState } from '../store/deployed-copies.js';
import { readDeployedSerials } from '../store-io/read-deployed.js';
import type { Sleep } from '../wait-for.js';
import { pointPebbleDnsAt } from './pebble-dns.js';
import { runDnsPreflight } from './dns-preflight.js';
import { runPreflight } from './preflight.js';
import { acquireRunLock } from './run-lock.js';
import { ensureServed, type Probe, type ServedName } from './ensure-served.js';

export interface UpdateContext {
  engine: Engine;
  config: Config;
  project: string;
  projectDir: string;
  log: Logger;
  now: () => Date;
  sleep: Sleep;
  /** How nginx is asked which certificate it serves (default: a TLS handshake). */
  probe?: Probe;
  /**
   * Reads the configuration again once the lock is held (the daemon passes one): a run that waited for another never
   * acts on a .env read before that run changed it.
   */
  reloadConfig?: () => Promise<Config>;
  /** certkit's own container when it runs inside the stack. */
  self: ServiceContainer | undefined;
  lockWaitMs: number;
  /**
   * certbot versions already read, by container id and start time: the daemon keeps one for its whole life, so
   * certbot's Python start-up (a second or more) runs once per container, not at every check.
   */
  certbotVersions?: Map<string, Version>;
}

export interface UpdateOptions {
  force?: boolean;
  dryRun?: boolean;
  staging?: boolean;
  /** Who runs this, for the lock's message ("certkit update", "certkit daemon"). */
  purpose: string;
}

export interface UpdateResult {
  certName: string;
  domains: string[];
  action: 'issued' | 'reissued' | 'renewed' | 'unchanged' | 'dry-run';
  reasons: string[];
  serial: string | undefined;
  notAfter: Date | undefined;
  /** The ACME profile renewals request: as saved by certbot >= 4.1, else as configured (certkit passes it to 4.0). */
  profile: string | undefined;
  /** The serial nginx presents for each name after the run. */
  served: ServedName[];
  reloaded: boolean;
  rendered: string[];
}

/** Renders, issues or renews, deploys, reloads nginx and verifies it serves the certificate: `certkit update`. */
export async function runUpdate(ctx: UpdateContext, options: UpdateOptions): Promise<UpdateResult> {
  const { log } = ctx;
  const stack = await findStack(ctx.engine, ctx.project, ctx.config.nginx.service);
  const certbot = new Certbot(ctx.engine, stack.certbot.id, log, { pluginPath: ctx.config.trustedPlugins.length > 0 });
  // Independent: asked together. A version this run cannot work with releases the lock at once.
  const [versionRead, lockTaken] = await Promise.allSettled([
    readCertbotVersion(certbot, stack.certbot, ctx.certbotVersions),
    acquireRunLock(ctx.engine, stack.certbot.id, { waitMs: ctx.lockWaitMs, log, now: ctx.now, sleep: ctx.sleep, purpose: options.purpose }),
  ]);
  const unsupported = versionRead.status === 'fulfilled' ? certbotSupportProblems(ctx.config, versionRead.value) : [];
  if (versionRead.status === 'rejected' || unsupported.length > 0 || lockTaken.status === 'rejected') {
    if (lockTaken.status === 'fulfilled') await lockTaken.value().catch(() => undefined);
    if (versionRead.status === 'rejected') throw versionRead.reason;
    if (unsupported.length > 0) throw configError(unsupported);
    throw (lockTaken as PromiseRejectedResult).reason;
  }
  const version = versionRead.value;
  const release = lockTaken.value;
  let failed = false;
  try {
    // Rendering writes files every run shares, and a run that waited for the lock may hold a .env read before the
    // run it waited for changed it: both happen under the lock, with the configuration read again when the caller can.
    const config = ctx.reloadConfig ? await ctx.reloadConfig() : ctx.config;
    const stillUnsupported = config === ctx.config ? [] : certbotSupportProblems(config, version);
    if (stillUnsupported.length > 0) throw configError(stillUnsupported);
    const run = { ...ctx, config };
    const [render, before] = await Promise.all([renderProject(config, ctx.projectDir), certbot.readLineage(config.certName)]);
    const rendered = render.files;
    if (rendered.length > 0) log.info(`rendered ${rendered.join(', ')}`);
    // Read beside the CA's renewal window; used only when certbot does not run (else read again after it).
    const deployedEarly = readDeployedSerials(ctx.engine, stack.certbot.id);
    deployedEarly.catch(() => undefined);
    const renewalWindow =
      before && !options.dryRun
        ? await readRenewalWindow(certbot, config.certName, before.renewal?.server ?? config.server.url, log)
        : undefined;
    const plan = planCertbotRun({ config, existing: before, certbot: version, now: ctx.now(), renewalWindow, ...options });
    log.info(`${config.certName}: ${plan.action} (${plan.reasons.join('; ')}) with certbot ${formatVersion(version)}`);
    if (plan.action !== 'keep') await runPlan(run, stack, certbot, plan, options);
    if (options.dryRun) {
      return {
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
      };
    }

    const after = plan.action === 'keep' ? before : await certbot.readLineage(config.certName);
    if (!after)
      throw new CertkitError(
        'CERTBOT_FAILED',
        `certbot reported success but ${config.certName} is not in its store; run \`certkit doctor\`.`,
      );
    // A changed deploy hook (mode, owner, file modes in .env) re-materializes the files even when the serial is the same.
    const deployed = deployedState(
      await (plan.action === 'keep' ? deployedEarly : readDeployedSerials(ctx.engine, stack.certbot.id)),
      config.certName,
      after.serial,
    );
    if (render.deployHookChanged || deployed !== 'ok') {
      log.info(`deploying ${config.certName} to the folder nginx reads`);
      await certbot.runDeployHook(config.certName);
    }
    const { served, reloaded } = await ensureServed({
      engine: ctx.engine,
      stack,
      self: ctx.self,
      log,
      now: ctx.now,
      sleep: ctx.sleep,
      probe: ctx.probe,
      names: config.domains,
      serial: after.serial,
      forceReload: render.nginxChanged,
      ownNginx: ownNginxOf(config),
    });
    const action =
      before === undefined ? 'issued' : before.serial === after.serial ? 'unchanged' : plan.action === 'reissue' ? 'reissued' : 'renewed';
    const profile = after.renewal?.profile ?? config.profile;
    return {
      certName: config.certName,
      domains: after.domains,
      action,
      reasons: plan.reasons,
      serial: after.serial,
      notAfter: after.notAfter,
      profile,
      served,
      reloaded,
      rendered,
    };
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    // When the run failed, its error is the one to report; a lock that cannot be released (the certbot container
    // stopped) clears by itself, as its lease ended with the container.
    await release().catch((error: unknown) => {
      if (!failed) throw error;
      log.debug(`could not release the lock: ${(error as Error).message}`);
    });
  }
}

/**
 * The certbot version, from the cache when this container (same id, same start) was asked before: in memory (the
 * daemon), else from the file an earlier run left in the container (CERTBOT_VERSION_FILE), else from certbot.
 */
export async function readCertbotVersion(
  certbot: Pick<CertbotContainer, 'version' | 'readFile' | 'writeFile'>,
  container: Pick<ServiceContainer, 'id' | 'startedAt'>,
  cache: Map<string, Version> | undefined,
): Promise<Version> {
  // A container's image is fixed for its life; the start time also catches a certbot upgraded inside and restarted.
  const key = `${container.id}@${container.startedAt ?? ''}`;
  const known = cache?.get(key);
  if (known) return known;
  const start = container.startedAt ?? 'unknown';
  const stored = await certbot.readFile(CERTBOT_VERSION_FILE);
  const [storedStart, storedVersion] = stored?.trim().split(' ') ?? [];
  let version = storedStart === start ? parseCertbotVersion(`certbot ${storedVersion ?? ''}`) : undefined;
  if (!version) {
    version = await certbot.version();
    // Only a speed-up: a run that cannot write it asks certbot again next time.
    await certbot.writeFile(CERTBOT_VERSION_FILE, `${start} ${formatVersion(version)}\n`).catch(() => undefined);
  }
  cache?.set(key, version);
  return version;
}

async function runPlan(
  ctx: UpdateContext,
  stack: Stack,
  certbot: CertbotContainer,
  plan: CertbotPlan,
  options: UpdateOptions,
): Promise<void> {
  const challenge = ctx.config.challenge;
  // DNS-01 asks the DNS server the CA uses: there is neither an nginx to point the test CA's DNS at nor a webroot to try.
  if (challenge.type === 'dns') {
    if (plan.validates) await runDnsPreflight(certbot, challenge, ctx.config.trustedPlugins);
    return runCertbotPlan(ctx, certbot, plan, options);
  }
  const pebbleAddress = ctx.config.server.name === 'pebble' && !options.staging ? await nginxAddressForPebble(ctx, stack) : undefined;
  // IP addresses are validated at the address itself; only DNS names need the test CA's DNS.
  if (pebbleAddress && ctx.config.domains.some((name) => !isIpAddress(name))) await pointPebbleDnsAt(certbot, pebbleAddress);
  if (ctx.config.preflight && plan.validates) {
    ctx.log.info(`preflight: checking ${ctx.config.domains.join(', ')} reach this nginx`);
    await runPreflight(certbot, ctx.config.domains, pebbleAddress);
  }
  await runCertbotPlan(ctx, certbot, plan, options);
}

async function runCertbotPlan(ctx: UpdateContext, certbot: CertbotContainer, plan: CertbotPlan, options: UpdateOptions): Promise<void> {
  try {
    await certbot.runCertbot(plan);
  } catch (error) {
    // Pebble keeps no state across restarts: its try-out accounts are disposable, so register anew and reissue.
    if (!(isCertkitError(error, 'CA_ACCOUNT_UNKNOWN') && ctx.config.server.name === 'pebble')) throw error;
    ctx.log.info("the local test CA was restarted and forgot certbot's account; registering a new one");
    await certbot.setAccountsAside(ctx.config.server.url, String(ctx.now().getTime()));
    await certbot.runCertbot(planForcedReissue(ctx.config, options));
  }
}

async function nginxAddressForPebble(ctx: UpdateContext, stack: Stack): Promise<string> {
  const [pebble] = await ctx.engine.listContainers({ project: ctx.project, service: 'pebble' });
  const address = addressOnSharedNetwork(stack.nginx, pebble);
  if (!address) {
    throw new CertkitError(
      'STACK_NOT_RUNNING',
      'CERTBOT_SERVER=pebble, but no pebble container shares a network with nginx: start the stack with `docker compose --profile certbot --profile pebble up -d`.',
    );
  }
  return address;
}

import type { CertbotContainer } from '../certbot/certbot-container.js';
import { CertbotContainer as Certbot } from '../certbot/certbot-container.js';
import { certbotSupportProblems } from '../certbot/certbot-support.js';
import { formatVersion, parseCertbotVersion, type Version } from '../certbot/certbot-version.js';
import type { Config } from '../config/config.js';
import { configError } from '../config/load-config.js';
import type { ServiceContainer } from '../docker/engine.js';
import { CertkitError } from '../errors.js';
import { renderProject } from '../render/render-project.js';
import { findStack } from '../stack/find-stack.js';
import { readDeployedSerials } from '../store-io/read-deployed.js';
import { reloadForConfig } from './ensure-served.js';
import { CERTBOT_VERSION_FILE } from '../stack/layout.js';
import { acquireRunLock } from './run-lock.js';
import { updateSites } from './update-sites.js';
import { configReloadFor, envLeftOut, envNotDone, envReport, sweepMembers } from './sweep-members.js';
import type { UpdateContext, UpdateOptions, UpdateResult } from './update-context.js';
import { readSites } from '../sites/read-sites.js';
import { readSweepFacts, readSweepStore } from './sweep-store.js';
import { configForSite } from '../sites/env-site.js';
import type { Site } from '../sites/site.js';
import { describeRefusal } from '../sites/site.js';

export type { SiteOutcome, UpdateContext, UpdateOptions, UpdateResult } from './update-context.js';

/** Renders, issues or renews, deploys, reloads nginx and verifies it serves the certificate: `certkit update`. */
export async function runUpdate(ctx: UpdateContext, options: UpdateOptions): Promise<UpdateResult> {
  const { log } = ctx;
  const stack = await findStack(ctx.engine, ctx.project, ctx.config.nginx.service);
  const certbot = new Certbot(ctx.engine, stack.certbot.name, log, { pluginPath: ctx.config.trustedPlugins.length > 0 });
  // Independent: asked together. A version this run cannot work with releases the lock at once.
  const [versionRead, lockTaken] = await Promise.allSettled([
    readCertbotVersion(certbot, stack.certbot, ctx.certbotVersions),
    acquireRunLock(ctx.engine, stack.certbot.name, {
      waitMs: ctx.lockWaitMs,
      log,
      now: ctx.now,
      sleep: ctx.sleep,
      purpose: options.purpose,
    }),
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
    // Read once for every site, while the sites are read and rendered: a site that deploys reads its copy again.
    const facts = readSweepFacts(certbot);
    facts.catch(() => undefined);
    const deployedSerials = facts.then(
      (read) => read.deployed,
      () => readDeployedSerials(ctx.engine, stack.certbot.name),
    );
    deployedSerials.catch(() => undefined);
    const siteSet = await readSites({ config, envFile: ctx.envFile, projectDir: ctx.projectDir, engine: ctx.engine, project: ctx.project });
    for (const refusal of siteSet.refused) log.warn(`site refused: ${describeRefusal(refusal)}`);
    const [env, ...declared] = siteSet.sites;
    // The app's own nginx includes certkit's snippets for one certificate: there, only the .env site is served.
    const others = config.nginx.mode === 'own' ? [] : declared;
    if (declared.length > others.length) {
      log.warn(
        `CERTKIT_NGINX_MODE=own serves the .env site alone; ${declared.map((site) => site.id).join(', ')} left out (use certkit's nginx for several sites)`,
      );
    }
    const wanted = (id: string) => options.sites === undefined || options.sites.includes(id);
    const unknown = (options.sites ?? []).filter((id) => !siteSet.sites.some((site) => site.id === id));
    if (unknown.length > 0) {
      throw new CertkitError(
        'USAGE',
        `no site is named ${unknown.join(', ')}; the sites are ${siteSet.sites.map((site) => site.id).join(', ')} (\`certkit sites\` lists them)`,
      );
    }
    const render = await renderProject(config, ctx.projectDir, undefined, { others, now: ctx.now(), graceMs: config.sites.graceMs });
    for (const kept of render.retained)
      log.info(`site ${kept.id}: no longer declared; served until ${kept.until.toISOString()} (CERTKIT_SITE_GRACE)`);
    if (render.files.length > 0) log.info(`rendered ${render.files.join(', ')}`);
    const chosen = others.filter((site) => wanted(site.id));
    const sweep = await readSweepStore({
      engine: ctx.engine,
      certbot,
      log,
      now: ctx.now,
      dryRun: options.dryRun === true,
      facts,
      sites: sweptSites(config, env && wanted(env.id) ? env : undefined, chosen, options),
    });
    const run: UpdateContext = {
      ...ctx,
      config,
      deployedSerials,
      sweep,
      pebbleDnsPointed: new Map<string, Promise<void>>(),
      pebbleAddress: {},
      preflighted: new Map<string, Promise<void>>(),
    };
    // Each site alone, the .env site first, in one sweep: one that fails is reported with its error, and the others go
    // on. With several sites, a change of configuration alone (a site added, removed, re-routed: the stamp in every
    // file changes) is reloaded once, at the end of the run; a site's serving reloads only for its own certificate or link.
    const members = sweepMembers(config, env && wanted(env.id) ? env : undefined, chosen);
    const configReload = configReloadFor(config, 1 + others.length, render.retained.length);
    const results = await updateSites(run, stack, certbot, version, members, render, options, configReload);
    const envOutcome = envReport(members, results);
    const outcomes = results.filter((_, index) => !members[index]?.selects).map((entry) => entry.outcome);
    // The daemon's run names the .env site's own failure here too, as the site it is (it does not end the run).
    const reported = options.envFailureInResult && envOutcome && !envOutcome.ok ? [envOutcome.outcome, ...outcomes] : outcomes;
    for (const outcome of reported) {
      if (outcome.error) {
        const { code, message } = outcome.error;
        log.error(`site ${outcome.site} (${outcome.names.join(', ')}): ${code ? `${code}: ` : ''}${message}`);
      }
    }
    // The run's one reload for the configuration alone, when no site's serving reloaded nginx (a reload since the
    // render loaded all of it): nginx is asked which rendering it runs, so a rendering of another run is reloaded too.
    const reloaded = results.some((entry) => entry.outcome.result?.reloaded);
    // A site served with no reload of its own (a renewal read at handshakes): a rendering nginx does not run yet is
    // then reloaded here, too.
    const served = results.some((entry) => entry.outcome.result !== undefined);
    const asked = configReload === 'end' || render.nginxChanged || served;
    if (!reloaded && !options.dryRun && config.nginx.mode === 'kit' && asked) {
      const envFailed = envOutcome !== undefined && !envOutcome.ok;
      const converged = reloadForConfig({
        ...run,
        stack,
        names: config.domains,
        configStamp: render.configStamp,
        changed: render.nginxChanged,
        verify: !envFailed,
      });
      // The .env site's own failure, when it failed, is the one to report.
      const done = envFailed
        ? await converged.catch((error: unknown) => {
            log.warn((error as Error).message);
            return false;
          })
        : await converged;
      if (done) log.info('nginx reloaded for the sites that changed');
    }
    if (envOutcome && !envOutcome.ok) {
      if (!options.envFailureInResult) throw envOutcome.error;
      // The daemon backs the .env site off alone, as any other site (logged with them above).
      return { ...envNotDone(config, render.files, envOutcome.outcome), others: outcomes, refused: siteSet.refused.map(describeRefusal) };
    }
    const envResult = envOutcome?.result ?? envLeftOut(config, render.files);
    return { ...envResult, others: outcomes, refused: siteSet.refused.map(describeRefusal) };
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

/** The certificates a sweep works on: the .env site's and each chosen site's, less those waiting out a backoff. */
function sweptSites(
  config: Config,
  env: Site | undefined,
  chosen: readonly Site[],
  options: UpdateOptions,
): { certName: string; serverUrl: string }[] {
  const sites = [
    ...(env && options.waiting?.(env.id) === undefined ? [config] : []),
    ...chosen.filter((site) => options.waiting?.(site.id) === undefined).map((site) => configForSite(config, site)),
  ];
  return sites.map((site) => ({ certName: site.certName, serverUrl: site.server.url }));
}

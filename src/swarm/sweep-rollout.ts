import { isCertkitError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Sleep } from '../wait-for.js';
import { applyServingSet } from './apply-serving-set.js';
import { removeUnusedSiteVersions, stageSiteSecret, type SiteCertificate } from './rotate-site.js';
import { RolloutFailed } from './rollout.js';
import type { StagedSiteSecret, StagedVersion } from './serving-set.js';
import type { StackApi } from './swarm-api.js';
import type { SwarmSiteOutcome } from './swarm-update.js';
import { removeUnusedNginxConfs, type NginxConfChange, type StagedNginxConf } from './update-nginx-conf.js';

export interface SweepRollout {
  api: StackApi;
  stack: string;
  /** The nginx service's id. */
  service: string;
  /** Each site's outcome so far, with the certificate to roll out when the service does not mount it. */
  sites: ReadonlyArray<{ outcome: SwarmSiteOutcome; pending: SiteCertificate | undefined }>;
  conf: StagedNginxConf;
  rollout: { monitorMs: number; timeoutMs: number; intervalMs: number };
  now: () => Date;
  sleep: Sleep;
  log: Logger;
}

/**
 * A sweep's changes to the nginx service in one rolling update: every site's secret version staged (a site whose
 * version Swarm refuses, past 500 KB say, fails alone), then the staged versions and nginx.conf rolled out together,
 * then the versions nothing uses any more removed. A rollout that fails for an unhealthy new task is split: each
 * change rolled out alone, so only the one at fault fails; any other failure fails each site in it (the tasks serve
 * what they served before); with no site in it, the run fails.
 */
export async function rollOutSweep(input: SweepRollout): Promise<NginxConfChange> {
  const { api, log, conf } = input;
  const staged: Array<{ outcome: SwarmSiteOutcome; version: StagedSiteSecret }> = [];
  for (const { outcome, pending } of input.sites) {
    if (!pending || outcome.error) continue;
    try {
      staged.push({ outcome, version: await stageSiteSecret(api, pending, log) });
    } catch (error) {
      fail(outcome, error, log);
    }
  }
  if (staged.length === 0 && !conf.version) return { name: conf.name, changed: false, removed: [] };
  const roll = (secrets: StagedSiteSecret[], config: StagedVersion | undefined) =>
    applyServingSet({ api, service: input.service, secrets, config, ...input.rollout, now: input.now, sleep: input.sleep, log });
  let rolled = staged;
  let confRolled: { changed: boolean } | undefined;
  let confFailed: string | undefined;
  let serviceId: string | undefined;
  try {
    const result = await roll(
      staged.map((entry) => entry.version),
      conf.version,
    );
    serviceId = result.serviceId;
    confRolled = conf.version ? { changed: result.configChanged } : undefined;
  } catch (error) {
    if (staged.length === 0) throw error;
    const parts = staged.length + (conf.version ? 1 : 0);
    if (!(error instanceof RolloutFailed) || error.failure.cause !== 'unhealthy' || parts === 1) {
      for (const entry of staged) fail(entry.outcome, error, log);
      return { name: conf.mounted ?? conf.name, changed: false, removed: [], failed: (error as Error).message };
    }
    // One change at fault (a certificate nginx cannot load, an nginx.conf it refuses) must not hold the others back
    // sweep after sweep: each is rolled out alone, and only the one at fault fails.
    log.warn(
      `the sweep's update failed (${error.failure.reason}): rolling its ${parts} changes out one at a time, to fail only the one at fault`,
    );
    rolled = [];
    if (conf.version) {
      try {
        const result = await roll([], conf.version);
        serviceId = result.serviceId;
        confRolled = { changed: result.configChanged };
      } catch (confError) {
        confFailed = (confError as Error).message;
        log.error(`nginx.conf: ${confFailed}`);
      }
    }
    for (const entry of staged) {
      try {
        serviceId = (await roll([entry.version], undefined)).serviceId;
        rolled.push(entry);
      } catch (siteError) {
        fail(entry.outcome, siteError, log);
      }
    }
  }
  const updated = serviceId;
  for (const { outcome, version } of updated === undefined ? [] : rolled) {
    try {
      const cleanup = await removeUnusedSiteVersions(
        api,
        { stack: input.stack, siteId: version.site, current: version.id, serviceId: updated as string },
        log,
      );
      if (outcome.result) outcome.result.removed = cleanup.removed;
    } catch (error) {
      // Served already: a version left over is removed by the next sweep.
      log.warn(`site ${version.site}: old versions not removed: ${(error as Error).message}`);
    }
  }
  if (!conf.version || !confRolled || serviceId === undefined) {
    return { name: conf.mounted ?? conf.name, changed: false, removed: [], ...(confFailed ? { failed: confFailed } : {}) };
  }
  const removed = await removeUnusedNginxConfs(api, { stack: input.stack, current: conf.version.id, serviceId }, log);
  return { name: conf.name, changed: confRolled.changed, removed };
}

function fail(outcome: SwarmSiteOutcome, error: unknown, log: Logger): void {
  log.error(`site ${outcome.site}: ${(error as Error).message}`);
  delete outcome.result;
  outcome.error = { code: isCertkitError(error) ? error.code : undefined, message: (error as Error).message };
}

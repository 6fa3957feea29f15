import { isCertkitError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Sleep } from '../wait-for.js';
import { applyServingSet } from './apply-serving-set.js';
import { removeUnusedSiteVersions, stageSiteSecret, type SiteCertificate } from './rotate-site.js';
import type { StagedSiteSecret } from './serving-set.js';
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
 * then the versions nothing uses any more removed. A failed rollout fails each site in it (the tasks serve what they
 * served before); with no site in it, the run fails.
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
  let result;
  try {
    result = await applyServingSet({
      api,
      service: input.service,
      secrets: staged.map((entry) => entry.version),
      config: conf.version,
      ...input.rollout,
      now: input.now,
      sleep: input.sleep,
      log,
    });
  } catch (error) {
    if (staged.length === 0) throw error;
    for (const entry of staged) fail(entry.outcome, error, log);
    return { name: conf.mounted ?? conf.name, changed: false, removed: [], failed: (error as Error).message };
  }
  for (const { outcome, version } of staged) {
    try {
      const cleanup = await removeUnusedSiteVersions(
        api,
        { stack: input.stack, siteId: version.site, current: version.id, serviceId: result.serviceId },
        log,
      );
      if (outcome.result) outcome.result.removed = cleanup.removed;
    } catch (error) {
      // Served already: a version left over is removed by the next sweep.
      log.warn(`site ${version.site}: old versions not removed: ${(error as Error).message}`);
    }
  }
  const removed = conf.version
    ? await removeUnusedNginxConfs(api, { stack: input.stack, current: conf.version.id, serviceId: result.serviceId }, log)
    : [];
  return { name: conf.name, changed: result.configChanged, removed };
}

function fail(outcome: SwarmSiteOutcome, error: unknown, log: Logger): void {
  log.error(`site ${outcome.site}: ${(error as Error).message}`);
  delete outcome.result;
  outcome.error = { code: isCertkitError(error) ? error.code : undefined, message: (error as Error).message };
}

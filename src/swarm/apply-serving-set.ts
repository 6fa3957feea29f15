import type { Logger } from '../log.js';
import type { Sleep } from '../wait-for.js';
import { awaitRollout, RolloutFailed } from './rollout.js';
import { planServingSet, type StagedSiteSecret, type StagedVersion } from './serving-set.js';
import type { SwarmApi } from './swarm-api.js';
import { decideUpdateOrder } from './update-order.js';

export interface ServingSetInput {
  api: SwarmApi;
  /** The nginx service (its name or id). */
  service: string;
  /** Every site secret version the sweep wants mounted (new, put back, or already mounted). */
  secrets: readonly StagedSiteSecret[];
  /** nginx.conf's version, when the sweep changes it. */
  config?: StagedVersion | undefined;
  monitorMs: number;
  timeoutMs: number;
  intervalMs: number;
  now: () => Date;
  sleep: Sleep;
  log: Logger;
  /** Rollouts run again after task churn (a drain, an engine restart): 2 unless told. */
  retries?: number;
  /** The pause before the first retry (doubled before each next): 15 s unless told. */
  backoffMs?: number;
}

export interface ServingSetResult {
  serviceId: string;
  serviceName: string;
  /** False when the service already mounted every version (no update was made). */
  updated: boolean;
  changedSites: string[];
  configChanged: boolean;
  detail: string;
}

/**
 * Everything a sweep wants the nginx service to mount, in ONE start-first service update that Swarm rolls back on
 * failure, then a wait (bounded) until every task runs all of it, healthy. A rollout Swarm paused, rolled back or
 * held because tasks were stopped from outside (a drain, an engine restart) is run again, a bounded number of times
 * with a growing pause, saying why. Throws when the rollout fails otherwise (an unhealthy new task) or the retries are
 * spent: the tasks keep serving what they served before, for every site of the update.
 */
export async function applyServingSet(input: ServingSetInput): Promise<ServingSetResult> {
  const retries = input.retries ?? 2;
  // What the sweep changed, whichever attempt finished it (a retry finds the spec already changed).
  const changed = { sites: new Set<string>(), config: false };
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await rollOnce(input, attempt > 1, changed);
    } catch (error) {
      if (!(error instanceof RolloutFailed) || error.failure.cause !== 'churn' || attempt > retries) throw error;
      const pauseMs = (input.backoffMs ?? 15_000) * 2 ** (attempt - 1);
      input.log.warn(
        `rollout ${attempt} of ${retries + 1} interrupted by task churn, not by the new version (${error.failure.reason}): running it again in ${Math.round(pauseMs / 1000)} s`,
      );
      await input.sleep(pauseMs);
    }
  }
}

/** Swarm's states that a service update resumes (the same spec sent again restarts a paused update). */
const RESUMABLE = new Set(['paused', 'rollback_paused']);

async function rollOnce(
  input: ServingSetInput,
  retry: boolean,
  changed: { sites: Set<string>; config: boolean },
): Promise<ServingSetResult> {
  const { api, log } = input;
  const service = await api.inspectService(input.service);
  const plan = planServingSet(
    { secrets: service.secrets, configs: service.configs ?? [] },
    { secrets: input.secrets, config: input.config },
  );
  for (const site of plan.changedSites) changed.sites.add(site);
  changed.config ||= plan.configChanged;
  const what = [...input.secrets.map((secret) => secret.name), ...(input.config ? [input.config.name] : [])].join(', ');
  // A paused update (this run's, or one a drain left behind), or on a retry one still stalled, is sent again.
  const resume = !plan.changed && (RESUMABLE.has(service.updateState ?? '') || (retry && service.updateState === 'updating'));
  // A held one is replaced, not sent as it is: Swarm would keep its held update running (same spec) with the tasks it
  // saw when it began. When the held node came back, that update took its pending task's end for a slot done and went
  // on to a node where Swarm had already replaced the task (an engine restart): two nginx tasks there (seen in the
  // multi-node test). A new `certkit.rollout` label ends it; no task restarts for a label.
  const held = resume && service.updateState === 'updating';
  if (plan.changed || resume) {
    const order = decideUpdateOrder(service.name, service.spec);
    if (order.warning) log.warn(order.warning);
    const warnings = await api.updateService(service, {
      order: order.order,
      secrets: plan.secrets,
      ...(plan.configs ? { configs: plan.configs } : {}),
      monitorMs: input.monitorMs,
      ...(held ? { supersede: input.now().toISOString() } : {}),
    });
    for (const warning of warnings) log.warn(`service ${service.name}: ${warning}`);
    const parts = [
      ...(plan.changedSites.length > 0 ? [`site${plan.changedSites.length === 1 ? '' : 's'} ${plan.changedSites.join(', ')}`] : []),
      ...(plan.configChanged ? ['nginx.conf'] : []),
    ];
    log.info(
      resume
        ? held
          ? `service ${service.name}: the update Swarm holds replaced by the same spec with a new certkit.rollout label (${order.order}; a task pending on a node that takes none is dropped)`
          : `service ${service.name}: the update Swarm paused sent again (${order.order})`
        : `service ${service.name}: one update for ${parts.join(' and ')} (${order.order}, rolled back on failure)`,
    );
  }
  const detail = await awaitRollout({
    api,
    serviceId: service.id,
    serviceName: service.name,
    newSecretIds: input.secrets.map((secret) => secret.id),
    ...(input.config ? { newConfigId: input.config.id } : {}),
    updated: plan.changed || resume,
    what,
    change: `the update of ${service.name} to ${what}`,
    timeoutMs: input.timeoutMs,
    intervalMs: input.intervalMs,
    now: input.now,
    sleep: input.sleep,
  });
  log.info(`service ${service.name}: ${detail}`);
  return {
    serviceId: service.id,
    serviceName: service.name,
    updated: plan.changed || resume || retry,
    changedSites: [...changed.sites],
    configChanged: changed.config,
    detail,
  };
}

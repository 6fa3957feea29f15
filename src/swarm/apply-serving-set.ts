import type { Logger } from '../log.js';
import type { Sleep } from '../wait-for.js';
import { awaitRollout } from './rollout.js';
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
 * failure, then a wait (bounded) until every task runs all of it, healthy. Throws when the rollout fails: the tasks
 * keep serving what they served before, for every site of the update.
 */
export async function applyServingSet(input: ServingSetInput): Promise<ServingSetResult> {
  const { api, log } = input;
  const service = await api.inspectService(input.service);
  const plan = planServingSet(
    { secrets: service.secrets, configs: service.configs ?? [] },
    { secrets: input.secrets, config: input.config },
  );
  const what = [...input.secrets.map((secret) => secret.name), ...(input.config ? [input.config.name] : [])].join(', ');
  if (plan.changed) {
    const order = decideUpdateOrder(service.name, service.spec);
    if (order.warning) log.warn(order.warning);
    const warnings = await api.updateService(service, {
      order: order.order,
      secrets: plan.secrets,
      ...(plan.configs ? { configs: plan.configs } : {}),
      monitorMs: input.monitorMs,
    });
    for (const warning of warnings) log.warn(`service ${service.name}: ${warning}`);
    const parts = [
      ...(plan.changedSites.length > 0 ? [`site${plan.changedSites.length === 1 ? '' : 's'} ${plan.changedSites.join(', ')}`] : []),
      ...(plan.configChanged ? ['nginx.conf'] : []),
    ];
    log.info(`service ${service.name}: one update for ${parts.join(' and ')} (${order.order}, rolled back on failure)`);
  }
  const detail = await awaitRollout({
    api,
    serviceId: service.id,
    serviceName: service.name,
    newSecretIds: input.secrets.map((secret) => secret.id),
    ...(input.config ? { newConfigId: input.config.id } : {}),
    updated: plan.changed,
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
    updated: plan.changed,
    changedSites: plan.changedSites,
    configChanged: plan.configChanged,
    detail,
  };
}

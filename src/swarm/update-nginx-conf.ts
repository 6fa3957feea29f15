import type { Logger } from '../log.js';
import type { Sleep } from '../wait-for.js';
import { awaitRollout } from './rollout.js';
import { LABEL_STACK } from './secret-name.js';
import { LABEL_CONFIG, NGINX_CONF_KIND, NGINX_CONF_TARGET, nginxConfName, planServiceConfigs, unusedConfigs } from './serving-plan.js';
import type { StackApi } from './swarm-api.js';

export interface NginxConfChange {
  /** The config the nginx service runs after the call. */
  name: string;
  changed: boolean;
  removed: string[];
}

/**
 * Makes the nginx service run this nginx.conf: compared with the config the service references now (its data, read
 * from Swarm), and when it differs, a new config version, a start-first service update gated on every task running
 * it healthy, and certkit's older versions nothing mounts removed. A config is immutable, like a secret.
 */
export async function updateNginxConf(input: {
  api: StackApi;
  stack: string;
  service: string;
  text: string;
  monitorMs: number;
  timeoutMs: number;
  intervalMs: number;
  dryRun: boolean;
  now: () => Date;
  sleep: Sleep;
  log: Logger;
}): Promise<NginxConfChange> {
  const { api, log } = input;
  const service = await api.inspectService(input.service);
  const mounted = (service.configs ?? []).find((ref) => ref.target === NGINX_CONF_TARGET);
  if (mounted && (await api.readConfig(mounted.configId)).toString('utf8') === input.text) {
    return { name: mounted.configName, changed: false, removed: [] };
  }
  const name = nginxConfName(input.stack, input.text);
  if (input.dryRun) {
    log.info(`nginx.conf: would roll ${name} out to ${service.name} (dry run)`);
    return { name, changed: false, removed: [] };
  }
  const labels = [`${LABEL_STACK}=${input.stack}`, `${LABEL_CONFIG}=${NGINX_CONF_KIND}`];
  const existing = (await api.listConfigs(labels)).find((config) => config.name === name);
  const id =
    existing?.id ??
    (await api.createConfig({
      name,
      data: Buffer.from(input.text),
      labels: { [LABEL_STACK]: input.stack, [LABEL_CONFIG]: NGINX_CONF_KIND },
    }));
  const plan = planServiceConfigs(service.configs ?? [], { id, name, target: NGINX_CONF_TARGET });
  if (plan.changed) {
    const warnings = await api.updateService(service, { configs: plan.configs, monitorMs: input.monitorMs });
    for (const warning of warnings) log.warn(`service ${service.name}: ${warning}`);
    log.info(`nginx.conf: ${service.name} updating to ${name} (${mounted ? `was ${mounted.configName}` : 'none mounted'}; start-first)`);
  }
  const detail = await awaitRollout({
    api,
    serviceId: service.id,
    serviceName: service.name,
    newConfigId: id,
    updated: plan.changed,
    what: name,
    change: `nginx.conf: the rollout of ${name}`,
    timeoutMs: input.timeoutMs,
    intervalMs: input.intervalMs,
    now: input.now,
    sleep: input.sleep,
  });
  log.info(`nginx.conf: ${detail}`);
  const removed: string[] = [];
  for (const version of unusedConfigs(await api.listConfigs(labels), id, await api.listTasks(service.id))) {
    // Swarm refuses while a service still references it: the next change tries again.
    await api.removeConfig(version.id).then(
      () => removed.push(version.name),
      (error: unknown) => log.info(`nginx.conf: kept ${version.name}: ${(error as Error).message}`),
    );
  }
  if (removed.length > 0) log.info(`nginx.conf: removed ${removed.join(', ')}`);
  return { name, changed: plan.changed, removed };
}

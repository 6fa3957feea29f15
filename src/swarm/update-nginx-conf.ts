import type { Logger } from '../log.js';
import { LABEL_STACK } from './secret-name.js';
import { LABEL_CONFIG, NGINX_CONF_KIND, NGINX_CONF_TARGET, nginxConfName, unusedConfigs } from './serving-plan.js';
import type { StagedVersion } from './serving-set.js';
import type { StackApi } from './swarm-api.js';

export interface NginxConfChange {
  /** The config the nginx service runs after the call. */
  name: string;
  changed: boolean;
  removed: string[];
  /** Why the new version was not rolled out (the sweep's update failed; the tasks run the version before). */
  failed?: string;
}

export interface StagedNginxConf {
  name: string;
  /** The version to roll out with the sweep's secrets; undefined when the service runs this text already (or a dry run). */
  version: StagedVersion | undefined;
  /** The version the service mounts now, for messages. */
  mounted: string | undefined;
}

/**
 * nginx.conf for the sweep: compared with the config the nginx service references now (its data, read from Swarm),
 * and when it differs, a config version for it (immutable, like a secret), rolled out with the sweep's secrets in
 * one service update (src/swarm/apply-serving-set.ts).
 */
export async function stageNginxConf(input: {
  api: StackApi;
  stack: string;
  service: string;
  text: string;
  dryRun: boolean;
  log: Logger;
}): Promise<StagedNginxConf> {
  const { api, log } = input;
  const service = await api.inspectService(input.service);
  const mounted = (service.configs ?? []).find((ref) => ref.target === NGINX_CONF_TARGET);
  if (mounted && (await api.readConfig(mounted.configId)).toString('utf8') === input.text) {
    return { name: mounted.configName, version: undefined, mounted: mounted.configName };
  }
  const name = nginxConfName(input.stack, input.text);
  if (input.dryRun) {
    log.info(`nginx.conf: would roll ${name} out to ${service.name} (dry run)`);
    return { name, version: undefined, mounted: mounted?.configName };
  }
  const existing = (await api.listConfigs(confLabels(input.stack))).find((config) => config.name === name);
  const id =
    existing?.id ??
    (await api.createConfig({
      name,
      data: Buffer.from(input.text),
      labels: { [LABEL_STACK]: input.stack, [LABEL_CONFIG]: NGINX_CONF_KIND },
    }));
  log.info(`nginx.conf: ${name} ${existing ? 'exists' : 'created'} (${mounted ? `was ${mounted.configName}` : 'none mounted'})`);
  return { name, version: { id, name, target: NGINX_CONF_TARGET }, mounted: mounted?.configName };
}

/** certkit's nginx.conf versions nothing mounts any more, removed; Swarm refusing one keeps it for the next change. */
export async function removeUnusedNginxConfs(
  api: StackApi,
  input: { stack: string; current: string; serviceId: string },
  log: Logger,
): Promise<string[]> {
  const removed: string[] = [];
  const versions = await api.listConfigs(confLabels(input.stack));
  for (const version of unusedConfigs(versions, input.current, await api.listTasks(input.serviceId))) {
    await api.removeConfig(version.id).then(
      () => removed.push(version.name),
      (error: unknown) => log.info(`nginx.conf: kept ${version.name}: ${(error as Error).message}`),
    );
  }
  if (removed.length > 0) log.info(`nginx.conf: removed ${removed.join(', ')}`);
  return removed;
}

function confLabels(stack: string): string[] {
  return [`${LABEL_STACK}=${stack}`, `${LABEL_CONFIG}=${NGINX_CONF_KIND}`];
}

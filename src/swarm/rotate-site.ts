import { CertkitError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Sleep } from '../wait-for.js';
import { awaitRollout } from './rollout.js';
import { planCleanup, planServiceSecrets } from './rotation-plan.js';
import { LABEL_NOT_AFTER, LABEL_SERIAL, LABEL_SITE, LABEL_STACK, checkSecretData, secretVersionName } from './secret-name.js';
import type { SwarmApi } from './swarm-api.js';

export interface RotateSiteOptions {
  api: SwarmApi;
  /** The stack's name (`docker stack deploy ... NAME`): it starts every secret name and labels every version. */
  stack: string;
  /** The nginx service, as Swarm names it (`NAME_nginx`). */
  service: string;
  siteId: string;
  /** The certificate and its chain, and the key: one secret, read by nginx as both (never logged, never a config). */
  fullchainPem: string;
  keyPem: string;
  serial: string;
  notAfter: Date;
  timeoutMs: number;
  intervalMs: number;
  /** How long Swarm watches each new task before it counts as updated (its update_config.monitor). */
  monitorMs: number;
  now: () => Date;
  sleep: Sleep;
  log: Logger;
}

export interface RotateSiteResult {
  secret: { id: string; name: string; target: string };
  /** False when the service already ran this version (nothing was updated). */
  updated: boolean;
  removed: string[];
  kept: Array<{ name: string; reason: string }>;
}

/**
 * One site's certificate into every nginx task: a new secret version, a start-first service update that Swarm rolls
 * back on failure, a wait until every task runs it healthy (bounded), then the versions nothing uses any more removed.
 */
export async function rotateSiteCertificate(options: RotateSiteOptions): Promise<RotateSiteResult> {
  const { api, log } = options;
  const swarm = await api.swarmState();
  if (swarm.state !== 'active' || !swarm.manager) {
    throw new CertkitError(
      'DOCKER_FAILED',
      `this engine is ${swarm.state === 'active' ? 'a Swarm worker' : `not in a swarm (${swarm.state})`}: certkit rotates secrets through a manager; run it on one (\`docker node ls\` lists them)`,
    );
  }
  const { name, target } = secretVersionName(options.stack, options.siteId, options.fullchainPem);
  const data = Buffer.from(`${options.keyPem.trimEnd()}\n${options.fullchainPem.trimEnd()}\n`);
  checkSecretData(options.siteId, data.length);
  const siteLabels = [`${LABEL_STACK}=${options.stack}`, `${LABEL_SITE}=${options.siteId}`];

  const existing = (await api.listSecrets(siteLabels)).find((secret) => secret.name === name);
  const id =
    existing?.id ??
    (await api.createSecret({
      name,
      data,
      labels: {
        [LABEL_STACK]: options.stack,
        [LABEL_SITE]: options.siteId,
        [LABEL_SERIAL]: options.serial,
        [LABEL_NOT_AFTER]: options.notAfter.toISOString(),
      },
    }));
  log.info(`site ${options.siteId}: secret ${name} ${existing ? 'exists' : 'created'} (serial ${options.serial})`);

  const service = await api.inspectService(options.service);
  const plan = planServiceSecrets(service.secrets, { id, name, target });
  if (plan.changed) {
    const warnings = await api.updateService(service, { secrets: plan.secrets, monitorMs: options.monitorMs });
    for (const warning of warnings) log.warn(`service ${service.name}: ${warning}`);
    log.info(`site ${options.siteId}: service ${service.name} updating to ${name} (start-first, rolled back on failure)`);
  }

  const detail = await awaitRollout({
    api,
    serviceId: service.id,
    serviceName: service.name,
    newSecretId: id,
    updated: plan.changed,
    what: name,
    change: `site ${options.siteId}: the rotation to ${name}`,
    timeoutMs: options.timeoutMs,
    intervalMs: options.intervalMs,
    now: options.now,
    sleep: options.sleep,
  });
  log.info(`site ${options.siteId}: ${detail}`);

  const cleanup = planCleanup({
    versions: await api.listSecrets(siteLabels),
    current: id,
    referencedByServices: await api.referencedSecrets(),
    tasks: await api.listTasks(service.id),
  });
  const removed: string[] = [];
  const kept = cleanup.keep.filter((entry) => entry.version.id !== id).map((entry) => ({ name: entry.version.name, reason: entry.reason }));
  for (const version of cleanup.remove) {
    try {
      await api.removeSecret(version.id);
      removed.push(version.name);
    } catch (error) {
      // Swarm refuses while something still references it: the next rotation tries again.
      kept.push({ name: version.name, reason: (error as Error).message });
    }
  }
  if (removed.length > 0) log.info(`site ${options.siteId}: removed ${removed.join(', ')}`);
  for (const entry of kept) log.info(`site ${options.siteId}: kept ${entry.name}: ${entry.reason}`);
  return { secret: { id, name, target }, updated: plan.changed, removed, kept };
}

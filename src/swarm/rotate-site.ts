import { CertkitError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Sleep } from '../wait-for.js';
import { applyServingSet } from './apply-serving-set.js';
import { planCleanup } from './rotation-plan.js';
import { LABEL_NOT_AFTER, LABEL_SERIAL, LABEL_SITE, LABEL_STACK, checkSecretData, secretVersionName } from './secret-name.js';
import type { StagedSiteSecret } from './serving-set.js';
import type { SwarmApi } from './swarm-api.js';

/** A site's certificate, as certbot's store holds it, for its secret version. */
export interface SiteCertificate {
  /** The stack's name (`docker stack deploy ... NAME`): it starts every secret name and labels every version. */
  stack: string;
  siteId: string;
  /** The certificate and its chain, and the key: one secret, read by nginx as both (never logged, never a config). */
  fullchainPem: string;
  keyPem: string;
  serial: string;
  notAfter: Date;
}

/**
 * The site's secret version for this certificate, created unless it exists (a name per certificate: a secret is
 * immutable). Refused, naming the site, past Swarm's 500 KB: that site fails alone, the sweep's others go on.
 */
export async function stageSiteSecret(api: SwarmApi, cert: SiteCertificate, log: Logger): Promise<StagedSiteSecret> {
  const { name, target } = secretVersionName(cert.stack, cert.siteId, cert.fullchainPem);
  const data = Buffer.from(`${cert.keyPem.trimEnd()}\n${cert.fullchainPem.trimEnd()}\n`);
  checkSecretData(cert.siteId, data.length);
  const existing = (await api.listSecrets(siteLabels(cert.stack, cert.siteId))).find((secret) => secret.name === name);
  const id =
    existing?.id ??
    (await api.createSecret({
      name,
      data,
      labels: {
        [LABEL_STACK]: cert.stack,
        [LABEL_SITE]: cert.siteId,
        [LABEL_SERIAL]: cert.serial,
        [LABEL_NOT_AFTER]: cert.notAfter.toISOString(),
      },
    }));
  log.info(`site ${cert.siteId}: secret ${name} ${existing ? 'exists' : 'created'} (serial ${cert.serial})`);
  return { site: cert.siteId, id, name, target };
}

/**
 * The site's versions nothing uses any more removed (after a rollout): not the current one, none a service's spec
 * references, none a live task mounts. Swarm refusing one keeps it for the next sweep.
 */
export async function removeUnusedSiteVersions(
  api: SwarmApi,
  input: { stack: string; siteId: string; current: string; serviceId: string },
  log: Logger,
): Promise<{ removed: string[]; kept: Array<{ name: string; reason: string }> }> {
  const cleanup = planCleanup({
    versions: await api.listSecrets(siteLabels(input.stack, input.siteId)),
    current: input.current,
    referencedByServices: await api.referencedSecrets(),
    tasks: await api.listTasks(input.serviceId),
  });
  const removed: string[] = [];
  const kept = cleanup.keep
    .filter((entry) => entry.version.id !== input.current)
    .map((entry) => ({ name: entry.version.name, reason: entry.reason }));
  for (const version of cleanup.remove) {
    try {
      await api.removeSecret(version.id);
      removed.push(version.name);
    } catch (error) {
      // Swarm refuses while something still references it: the next rotation tries again.
      kept.push({ name: version.name, reason: (error as Error).message });
    }
  }
  if (removed.length > 0) log.info(`site ${input.siteId}: removed ${removed.join(', ')}`);
  for (const entry of kept) log.info(`site ${input.siteId}: kept ${entry.name}: ${entry.reason}`);
  return { removed, kept };
}

function siteLabels(stack: string, siteId: string): string[] {
  return [`${LABEL_STACK}=${stack}`, `${LABEL_SITE}=${siteId}`];
}

export interface RotateSiteOptions extends SiteCertificate {
  api: SwarmApi;
  /** The nginx service, as Swarm names it (`NAME_nginx`). */
  service: string;
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
 * One site's certificate into every nginx task: its secret version staged, one rollout of it (a sweep rolls all its
 * sites in one: src/swarm/swarm-update.ts), then the versions nothing uses any more removed.
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
  const staged = await stageSiteSecret(api, options, log);
  const rollout = await applyServingSet({
    api,
    service: options.service,
    secrets: [staged],
    monitorMs: options.monitorMs,
    timeoutMs: options.timeoutMs,
    intervalMs: options.intervalMs,
    now: options.now,
    sleep: options.sleep,
    log,
  });
  const cleanup = await removeUnusedSiteVersions(
    api,
    { stack: options.stack, siteId: options.siteId, current: staged.id, serviceId: rollout.serviceId },
    log,
  );
  return { secret: { id: staged.id, name: staged.name, target: staged.target }, updated: rollout.updated, ...cleanup };
}

import { createHash } from 'node:crypto';
import { CertkitError } from '../errors.js';
import type { ConfigRef } from './map-swarm.js';
import { taskIsLive, type SecretRef, type TaskView } from './rotation-plan.js';
import { checkSecretName } from './secret-name.js';

/**
 * Pure: what a Swarm run changes in the nginx service, decided from what the service references now (never from a
 * remembered state): a site's secret, and nginx.conf's config.
 */

/** Where compose.swarm.yaml mounts nginx.conf in every nginx task. */
export const NGINX_CONF_TARGET = '/etc/certkit/swarm/nginx.conf';
/** The label on each nginx.conf version certkit creates (with certkit.stack): how it finds them again. */
export const LABEL_CONFIG = 'certkit.config';
export const NGINX_CONF_KIND = 'nginx-conf';

export type SecretDecision =
  | { action: 'current' }
  /** The service mounts no version: a first certificate (`add`), or one a `docker stack deploy` dropped (`restore`). */
  | { action: 'add' | 'restore'; reason: string }
  | { action: 'rotate'; from: string; reason: string };

/**
 * Whether the site's current certificate (its version name) is what the nginx service mounts at the site's target.
 * `fresh`: this run issued or renewed it (a missing reference is then an addition, not a restoration).
 */
export function decideSecret(refs: readonly SecretRef[], target: string, wanted: string, fresh: boolean): SecretDecision {
  const mounted = refs.filter((ref) => ref.target === target);
  if (mounted.length === 0) {
    return fresh
      ? { action: 'add', reason: 'its first certificate' }
      : {
          action: 'restore',
          reason: `the nginx service mounts no version of it (a \`docker stack deploy\` resets the service to the stack file, which names none); putting ${wanted} back`,
        };
  }
  if (mounted.length === 1 && mounted[0]?.secretName === wanted) return { action: 'current' };
  const from = mounted.map((ref) => ref.secretName).join(', ');
  return { action: 'rotate', from, reason: `the service mounts ${from}, the store holds ${wanted}` };
}

/** The name of an nginx.conf version: `<stack>-nginx-<hash of the text>`, within Swarm's 64 characters. */
export function nginxConfName(stack: string, text: string): string {
  const name = `${stack}-nginx-${createHash('sha256').update(text).digest('hex').slice(0, 12)}`;
  checkSecretName(name);
  return name;
}

/** The service's config list with nginx.conf's reference pointing at the new version (owner and mode kept). */
export function planServiceConfigs(
  current: readonly ConfigRef[],
  next: { id: string; name: string; target: string },
): { configs: ConfigRef[]; changed: boolean } {
  const replaced = current.find((ref) => ref.target === next.target);
  if (!replaced) {
    throw new CertkitError(
      'STACK_NOT_RUNNING',
      `the nginx service mounts no config at ${next.target}: it was not deployed from compose.swarm.yaml; deploy the stack with it (docs/swarm.md)`,
    );
  }
  const others = current.filter((ref) => ref.target !== next.target);
  return { configs: [...others, { ...replaced, configId: next.id, configName: next.name }], changed: replaced.configId !== next.id };
}

/** nginx.conf versions certkit made that nothing mounts any more: not the current one, no live task's spec. */
export function unusedConfigs<T extends { id: string }>(versions: readonly T[], current: string, tasks: readonly TaskView[]): T[] {
  const live = tasks.filter((task) => taskIsLive(task));
  return versions.filter((version) => version.id !== current && !live.some((task) => (task.configIds ?? []).includes(version.id)));
}

/**
 * The running task of the certbot service on this node: certkit runs certbot by exec, which reaches containers
 * of this engine only. Refused, with the fix, when certbot runs on another node or does not run.
 */
export function certbotTaskHere(
  tasks: readonly TaskView[],
  nodeId: string,
  service: string,
  stack: string,
): TaskView & { containerId: string } {
  const running = tasks.filter((task) => task.desiredState === 'running' && task.state === 'running');
  const here = running.find((task) => task.nodeId === nodeId && task.containerId);
  if (here?.containerId) return { ...here, containerId: here.containerId };
  if (running.length > 0) {
    throw new CertkitError(
      'STACK_NOT_RUNNING',
      `${service} runs on node ${running.map((task) => task.nodeId).join(', ')}, not on this one (${nodeId}): certkit runs certbot by exec on its own node; run certkit on that manager, or pin ${service} and acme-responder to this node (a node label, docs/swarm.md)`,
    );
  }
  throw new CertkitError(
    'STACK_NOT_RUNNING',
    `no task of ${service} runs: deploy the stack (\`docker stack deploy -c compose.swarm.yaml ${stack}\`) and see \`docker service ps ${service} --no-trunc\``,
  );
}

/** An nginx task's address on a network certbot's task shares: where the test CA's DNS points every name. */
export function nginxAddressFor(nginxTasks: readonly TaskView[], certbotTask: TaskView | undefined): string | undefined {
  const networks = Object.keys(certbotTask?.addresses ?? {});
  for (const task of nginxTasks.filter((entry) => entry.desiredState === 'running' && entry.state === 'running')) {
    for (const network of networks) {
      const address = task.addresses?.[network];
      if (address) return address;
    }
  }
  return undefined;
}

/** certbot's argv without `--deploy-hook PATH`: on Swarm there is no deploy folder, the certificate becomes a secret. */
export function withoutDeployHook(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const word = argv[index] as string;
    if (word === '--deploy-hook') index += 1;
    else if (!word.startsWith('--deploy-hook=')) out.push(word);
  }
  return out;
}

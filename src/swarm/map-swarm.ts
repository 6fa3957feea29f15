import type Docker from 'dockerode';
import type { SecretRef, TaskView } from './rotation-plan.js';
import type { ServiceChange, ServiceView } from './swarm-api.js';

/** The label `docker stack deploy` puts on every service, network, secret and config of a stack. */
export const STACK_NAMESPACE_LABEL = 'com.docker.stack.namespace';

/** A config as a service spec references it: the same shape as a secret's reference. */
export interface ConfigRef {
  configId: string;
  configName: string;
  target: string;
  uid: string;
  gid: string;
  mode: number;
}

/** A task as Swarm lists it, reduced to what certkit reads. */
export interface RawTask {
  ID: string;
  ServiceID?: string;
  NodeID?: string;
  Slot?: number;
  DesiredState?: string;
  Status?: { State?: string; Message?: string; Err?: string; ContainerStatus?: { ContainerID?: string } };
  Spec?: {
    ContainerSpec?: {
      Secrets?: Array<{ SecretID?: string; SecretName?: string; File?: { Name?: string } }>;
      Configs?: Array<{ ConfigID?: string }>;
    };
  };
  NetworksAttachments?: Array<{ Network?: { ID?: string; Spec?: { Name?: string } }; Addresses?: string[] }>;
}

/** Pure: a service as Swarm inspects it → certkit's view (the spec kept whole, for an update to send back). */
export function mapService(service: Docker.Service & { UpdateStatus?: { State?: string; Message?: string } }, name: string): ServiceView {
  const spec = service.Spec as Docker.ServiceSpec;
  const template = spec.TaskTemplate;
  const container = template && 'ContainerSpec' in template ? template.ContainerSpec : undefined;
  const file = (ref: { File?: { Name?: string; UID?: string; GID?: string; Mode?: number } }) => ({
    target: ref.File?.Name ?? '',
    uid: ref.File?.UID ?? '0',
    gid: ref.File?.GID ?? '0',
    mode: ref.File?.Mode ?? 0o444,
  });
  return {
    id: service.ID,
    name: spec.Name ?? name,
    version: service.Version?.Index ?? 0,
    replicas: spec.Mode?.Replicated?.Replicas,
    global: spec.Mode?.Global !== undefined,
    constraints: template?.Placement?.Constraints ?? [],
    secrets: (container?.Secrets ?? []).map((ref) => ({ secretId: ref.SecretID ?? '', secretName: ref.SecretName ?? '', ...file(ref) })),
    configs: (container?.Configs ?? []).map((ref) => ({ configId: ref.ConfigID ?? '', configName: ref.ConfigName ?? '', ...file(ref) })),
    updateState: service.UpdateStatus?.State,
    updateMessage: service.UpdateStatus?.Message,
    spec,
  };
}

/** Pure: a task as Swarm lists it → certkit's view, with its addresses by network name (a prefix length dropped). */
export function mapTask(task: RawTask, serviceId: string): TaskView {
  const addresses: Record<string, string> = {};
  const networks: Record<string, string> = {};
  for (const attachment of task.NetworksAttachments ?? []) {
    const network = attachment.Network?.Spec?.Name;
    const address = attachment.Addresses?.[0]?.split('/')[0];
    if (network && address) addresses[network] = address;
    if (attachment.Network?.ID && address) networks[attachment.Network.ID] = address;
  }
  return {
    id: task.ID,
    serviceId: task.ServiceID ?? serviceId,
    nodeId: task.NodeID ?? '',
    slot: task.Slot,
    desiredState: task.DesiredState ?? '',
    state: task.Status?.State ?? '',
    message: task.Status?.Message ?? '',
    error: task.Status?.Err || undefined,
    secretIds: (task.Spec?.ContainerSpec?.Secrets ?? []).map((ref) => ref.SecretID ?? ''),
    configIds: (task.Spec?.ContainerSpec?.Configs ?? []).map((ref) => ref.ConfigID ?? ''),
    addresses,
    mounts: (task.Spec?.ContainerSpec?.Secrets ?? []).map((ref) => ({
      secretId: ref.SecretID ?? '',
      secretName: ref.SecretName ?? '',
      target: ref.File?.Name ?? '',
    })),
    networks,
    containerId: task.Status?.ContainerStatus?.ContainerID || undefined,
  };
}

/** The nginx service's label a superseding update writes (src/swarm/apply-serving-set.ts): when, as an ISO time. */
export const LABEL_ROLLOUT = 'certkit.rollout';

/**
 * Pure: the spec a rotation sends back: the service's own, whole, with its secret or config list changed and its update
 * and rollback order enforced (one task at a time, start-first, rolled back on failure).
 */
export function updatedSpec(service: ServiceView, change: ServiceChange): Docker.ServiceSpec {
  const template = service.spec.TaskTemplate as Docker.ContainerTaskSpec;
  const stopFirst = change.order === 'stop-first';
  const order = {
    Order: change.order ?? 'start-first',
    FailureAction: 'rollback',
    Monitor: change.monitorMs * 1_000_000,
    MaxFailureRatio: 0,
    // Stop-first (host-mode ports): one replica down at a time, whatever the stack file says.
    ...(stopFirst ? { Parallelism: 1 } : {}),
  };
  return {
    ...service.spec,
    // Service labels are no part of the tasks' spec: a change ends Swarm's running update without restarting a task.
    ...(change.supersede ? { Labels: { ...service.spec.Labels, [LABEL_ROLLOUT]: change.supersede } } : {}),
    TaskTemplate: {
      ...template,
      ContainerSpec: {
        ...template.ContainerSpec,
        ...(change.secrets ? { Secrets: change.secrets.map(fileRef) } : {}),
        ...(change.configs ? { Configs: change.configs.map(fileRef) } : {}),
      },
    },
    UpdateConfig: { Parallelism: 1, ...service.spec.UpdateConfig, ...order },
    RollbackConfig: {
      Parallelism: 1,
      ...service.spec.RollbackConfig,
      Order: order.Order,
      ...(stopFirst ? { Parallelism: 1 } : {}),
      FailureAction: 'pause',
      Monitor: order.Monitor,
    },
  };
}

/** A secret's or a config's reference as Swarm's spec writes it. */
export function fileRef(ref: SecretRef | ConfigRef): {
  SecretID?: string;
  SecretName?: string;
  ConfigID?: string;
  ConfigName?: string;
  File: { Name: string; UID: string; GID: string; Mode: number };
} {
  const file = { Name: ref.target, UID: ref.uid, GID: ref.gid, Mode: ref.mode };
  return 'secretId' in ref
    ? { SecretID: ref.secretId, SecretName: ref.secretName, File: file }
    : { ConfigID: ref.configId, ConfigName: ref.configName, File: file };
}

/** A change to one of the stack's services, from Docker's event stream. */
export interface ServiceEvent {
  action: string;
  /** The service's name (STACK_SERVICE). */
  name: string;
}

/** Pure: one line of Docker's event stream → a create, update or removal of this stack's service, else undefined. */
export function parseServiceEvent(line: string, stack: string): ServiceEvent | undefined {
  let event: { Type?: string; Action?: string; Actor?: { Attributes?: Record<string, string> } };
  try {
    event = JSON.parse(line) as typeof event;
  } catch {
    return undefined;
  }
  const name = event.Actor?.Attributes?.['name'] ?? '';
  if (event.Type !== 'service' || !['create', 'update', 'remove'].includes(event.Action ?? '') || !name.startsWith(`${stack}_`))
    return undefined;
  return { action: event.Action as string, name };
}

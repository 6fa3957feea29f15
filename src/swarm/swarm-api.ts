import Docker from 'dockerode';
import { connectionOptions } from '../docker/connect-engine.js';
import { CertkitError, isCertkitError } from '../errors.js';
import type { ContainerHealth, UpdateState } from './health-gate.js';
import type { SecretRef, SecretVersion, TaskView } from './rotation-plan.js';

/**
 * What certkit asks of a Swarm manager: secrets, services, tasks, and the health of a task's container where it runs
 * on this node. The one place Swarm's API shapes (dockerode's) become certkit's, and Swarm's refusals certkit errors.
 */
export interface SwarmApi {
  /** 'active' on a node of a swarm; a manager is needed for everything below. */
  swarmState(): Promise<{ state: string; manager: boolean; nodeId: string }>;
  createSecret(secret: { name: string; data: Buffer; labels: Record<string, string> }): Promise<string>;
  listSecrets(labels: readonly string[]): Promise<Array<SecretVersion & { labels: Record<string, string> }>>;
  removeSecret(id: string): Promise<void>;
  inspectService(name: string): Promise<ServiceView>;
  /** Every service's referenced secret ids (Swarm refuses to remove a secret a service references). */
  referencedSecrets(): Promise<Set<string>>;
  updateService(service: ServiceView, change: ServiceChange): Promise<string[]>;
  listTasks(serviceId: string): Promise<TaskView[]>;
  containerHealth(containerId: string): Promise<ContainerHealth>;
  /** Node id → hostname (for messages naming where a task runs). */
  nodeNames(): Promise<Map<string, string>>;
}

export interface ServiceView {
  id: string;
  name: string;
  version: number;
  replicas: number | undefined;
  secrets: SecretRef[];
  updateState: UpdateState;
  updateMessage: string | undefined;
  /** The spec as Swarm holds it: an update sends it back whole with the changes, so nothing else is reset. */
  spec: Docker.ServiceSpec;
}

export interface ServiceChange {
  secrets: SecretRef[];
  /** Swarm's update and rollback order and failure action, enforced at every rotation. */
  monitorMs: number;
}

/** The manager certkit runs on, through the socket (or DOCKER_HOST, unix:// or tcp://) passed in. */
export function createSwarmApi(env: NodeJS.ProcessEnv): SwarmApi {
  const endpoint = env['DOCKER_HOST'] || 'unix:///var/run/docker.sock';
  // The one reading of DOCKER_HOST (unix://, tcp://, TLS port), as the Engine has it.
  const options: Docker.DockerOptions = connectionOptions(endpoint, env);
  return new DockerSwarmApi(new Docker(options), endpoint);
}

class DockerSwarmApi implements SwarmApi {
  constructor(
    private readonly docker: Docker,
    private readonly endpoint: string,
  ) {}

  async swarmState(): Promise<{ state: string; manager: boolean; nodeId: string }> {
    const info = (await this.call('read the engine info', () => this.docker.info())) as {
      Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean; NodeID?: string };
    };
    return {
      state: info.Swarm?.LocalNodeState ?? 'inactive',
      manager: Boolean(info.Swarm?.ControlAvailable),
      nodeId: info.Swarm?.NodeID ?? '',
    };
  }

  async createSecret(secret: { name: string; data: Buffer; labels: Record<string, string> }): Promise<string> {
    // The data is never part of a message: an error names the secret only.
    const created = (await this.call(`create secret ${secret.name}`, () =>
      this.docker.createSecret({ Name: secret.name, Labels: secret.labels, Data: secret.data.toString('base64') }),
    )) as { id?: string; ID?: string };
    const id = created.id ?? created.ID;
    if (!id) throw new CertkitError('DOCKER_FAILED', `Docker created secret ${secret.name} but gave no id`);
    return id;
  }

  async listSecrets(labels: readonly string[]): Promise<Array<SecretVersion & { labels: Record<string, string> }>> {
    const secrets = await this.call('list secrets', () => this.docker.listSecrets({ filters: { label: [...labels] } }));
    return secrets.map((secret) => ({
      id: secret.ID,
      name: secret.Spec?.Name ?? '',
      createdAt: secret.CreatedAt ?? '',
      labels: secret.Spec?.Labels ?? {},
    }));
  }

  async removeSecret(id: string): Promise<void> {
    await this.call(`remove secret ${id}`, () => this.docker.getSecret(id).remove());
  }

  async inspectService(name: string): Promise<ServiceView> {
    const service = (await this.call(`inspect service ${name}`, () => this.docker.getService(name).inspect())) as Docker.Service & {
      UpdateStatus?: { State?: string; Message?: string };
    };
    const spec = service.Spec as Docker.ServiceSpec;
    const container = spec.TaskTemplate && 'ContainerSpec' in spec.TaskTemplate ? spec.TaskTemplate.ContainerSpec : undefined;
    return {
      id: service.ID,
      name: spec.Name ?? name,
      version: service.Version?.Index ?? 0,
      replicas: spec.Mode?.Replicated?.Replicas,
      secrets: (container?.Secrets ?? []).map((ref) => ({
        secretId: ref.SecretID ?? '',
        secretName: ref.SecretName ?? '',
        target: ref.File?.Name ?? '',
        uid: ref.File?.UID ?? '0',
        gid: ref.File?.GID ?? '0',
        mode: ref.File?.Mode ?? 0o444,
      })),
      updateState: service.UpdateStatus?.State,
      updateMessage: service.UpdateStatus?.Message,
      spec,
    };
  }

  async referencedSecrets(): Promise<Set<string>> {
    const services = await this.call('list services', () => this.docker.listServices());
    const ids = new Set<string>();
    for (const service of services) {
      const template = service.Spec?.TaskTemplate;
      const refs = template && 'ContainerSpec' in template ? (template.ContainerSpec?.Secrets ?? []) : [];
      for (const ref of refs) if (ref.SecretID) ids.add(ref.SecretID);
    }
    return ids;
  }

  async updateService(service: ServiceView, change: ServiceChange): Promise<string[]> {
    const template = service.spec.TaskTemplate as Docker.ContainerTaskSpec;
    const order = {
      Order: 'start-first',
      FailureAction: 'rollback',
      Monitor: change.monitorMs * 1_000_000,
      MaxFailureRatio: 0,
    };
    const spec: Docker.ServiceSpec = {
      ...service.spec,
      TaskTemplate: {
        ...template,
        ContainerSpec: {
          ...template.ContainerSpec,
          Secrets: change.secrets.map((ref) => ({
            SecretID: ref.secretId,
            SecretName: ref.secretName,
            File: { Name: ref.target, UID: ref.uid, GID: ref.gid, Mode: ref.mode },
          })),
        },
      },
      UpdateConfig: { Parallelism: 1, ...service.spec.UpdateConfig, ...order },
      RollbackConfig: {
        Parallelism: 1,
        ...service.spec.RollbackConfig,
        Order: 'start-first',
        FailureAction: 'pause',
        Monitor: order.Monitor,
      },
    };
    const answer = (await this.call(`update service ${service.name}`, () =>
      this.docker.getService(service.id).update({ _query: { version: service.version }, _body: spec }),
    )) as { Warnings?: string[] | null } | undefined;
    return answer?.Warnings ?? [];
  }

  async listTasks(serviceId: string): Promise<TaskView[]> {
    const tasks = (await this.call(`list the tasks of service ${serviceId}`, () =>
      this.docker.listTasks({ filters: { service: [serviceId] } }),
    )) as RawTask[];
    return tasks.map((task) => ({
      id: task.ID,
      serviceId: task.ServiceID ?? serviceId,
      nodeId: task.NodeID ?? '',
      slot: task.Slot,
      desiredState: task.DesiredState ?? '',
      state: task.Status?.State ?? '',
      message: task.Status?.Message ?? '',
      error: task.Status?.Err || undefined,
      secretIds: (task.Spec?.ContainerSpec?.Secrets ?? []).map((ref) => ref.SecretID ?? ''),
      mounts: (task.Spec?.ContainerSpec?.Secrets ?? []).map((ref) => ({
        secretId: ref.SecretID ?? '',
        secretName: ref.SecretName ?? '',
        target: ref.File?.Name ?? '',
      })),
      networks: Object.fromEntries(
        (task.NetworksAttachments ?? []).flatMap((attachment) => {
          const address = attachment.Addresses?.[0]?.split('/')[0];
          return attachment.Network?.ID && address ? [[attachment.Network.ID, address]] : [];
        }),
      ),
      containerId: task.Status?.ContainerStatus?.ContainerID || undefined,
    }));
  }

  async containerHealth(containerId: string): Promise<ContainerHealth> {
    try {
      const container = await this.docker.getContainer(containerId).inspect();
      const status = container.State.Health?.Status;
      return status === 'healthy' || status === 'unhealthy' || status === 'starting' ? status : 'none';
    } catch {
      // On another node (or gone): Swarm's task state is what there is.
      return 'unknown';
    }
  }

  async nodeNames(): Promise<Map<string, string>> {
    const nodes = (await this.call('list the nodes', () => this.docker.listNodes())) as Array<{
      ID?: string;
      Description?: { Hostname?: string };
    }>;
    return new Map(nodes.map((node) => [node.ID ?? '', node.Description?.Hostname ?? node.ID ?? '']));
  }

  private async call<T>(what: string, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      if (isCertkitError(error)) throw error;
      const status = (error as { statusCode?: unknown }).statusCode;
      const json = (error as { json?: { message?: unknown } }).json;
      const said = typeof json?.message === 'string' ? json.message : (error as Error).message;
      if (typeof status !== 'number') {
        throw new CertkitError(
          'DOCKER_UNREACHABLE',
          `lost Docker at ${this.endpoint} while trying to ${what} (${said}); check that dockerd runs`,
          {
            cause: error,
          },
        );
      }
      if (status === 503 && /not a swarm manager|swarm/i.test(said)) {
        throw new CertkitError(
          'DOCKER_FAILED',
          `could not ${what}: this engine is not a Swarm manager (${said}); run certkit against a manager (\`docker node ls\` lists them)`,
          { cause: error },
        );
      }
      if (status === 404) throw new CertkitError('NOT_FOUND', `could not ${what}: Docker says ${said}`, { cause: error });
      throw new CertkitError('DOCKER_FAILED', `Docker refused to ${what} (HTTP ${status}: ${said})`, { cause: error });
    }
  }
}

interface RawTask {
  ID: string;
  ServiceID?: string;
  NodeID?: string;
  Slot?: number;
  DesiredState?: string;
  Status?: { State?: string; Message?: string; Err?: string; ContainerStatus?: { ContainerID?: string } };
  Spec?: { ContainerSpec?: { Secrets?: Array<{ SecretID?: string; SecretName?: string; File?: { Name?: string } }> } };
  NetworksAttachments?: Array<{ Network?: { ID?: string }; Addresses?: string[] }>;
}

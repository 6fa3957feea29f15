import type { Readable } from 'node:stream';
import Docker from 'dockerode';
import { connectionOptions, negotiateApiVersion, versionOnce } from '../docker/connect-engine.js';
import { CertkitError } from '../errors.js';
import type { ContainerHealth } from './health-gate.js';
import type { ServiceChange, ServiceView, StackApi, StackService } from './swarm-api-types.js';
import { swarmCall } from './swarm-errors.js';
import {
  mapService,
  mapTask,
  updatedSpec,
  parseServiceEvent,
  STACK_NAMESPACE_LABEL,
  type RawTask,
  type ServiceEvent,
} from './map-swarm.js';
import type { NodeState } from './rollout-failure.js';
import type { SecretVersion, TaskView } from './rotation-plan.js';
import { SwarmNames, taskContainerName } from './swarm-names.js';

export type { ServiceChange, ServiceView, StackApi, StackService, SwarmApi } from './swarm-api-types.js';

/** The manager certkit runs on, through the socket (or DOCKER_HOST, unix:// or tcp://) passed in. */
export function createSwarmApi(env: NodeJS.ProcessEnv): StackApi {
  const endpoint = env['DOCKER_HOST'] || 'unix:///var/run/docker.sock';
  // The one reading of DOCKER_HOST (unix://, tcp://, TLS port), as the Engine has it.
  const options = connectionOptions(endpoint, env);
  return new DockerSwarmApi(new Docker(options), endpoint, () => negotiateApiVersion(options));
}

/**
 * Every call names what it touches (a service, a secret or config version, a task's container), never Swarm's id, and
 * carries the API version: what the socket proxy of compose.swarm.yaml can check (src/docker/swarm-allowlist.ts).
 */
class DockerSwarmApi implements StackApi {
  private readonly names = new SwarmNames();
  /** Every path carries the API version (/v1.41/…), the engine's own capped, asked once: as the Engine's calls. */
  private readonly versioned: () => Promise<void>;

  constructor(
    private readonly docker: Docker,
    private readonly endpoint: string,
    negotiate: () => Promise<string>,
  ) {
    this.versioned = versionOnce(docker, negotiate);
  }

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
      // _body alone: dockerode would copy the options into the query too, the key into a URL (and the proxy's log).
      this.docker.createSecret({ _query: {}, _body: { Name: secret.name, Labels: secret.labels, Data: secret.data.toString('base64') } }),
    )) as { id?: string; ID?: string };
    const id = created.id ?? created.ID;
    if (!id) throw new CertkitError('DOCKER_FAILED', `Docker created secret ${secret.name} but gave no id`);
    this.names.remember(id, secret.name);
    return id;
  }

  async listSecrets(labels: readonly string[]): Promise<Array<SecretVersion & { labels: Record<string, string> }>> {
    const secrets = await this.call('list secrets', () => this.docker.listSecrets({ filters: { label: [...labels] } }));
    for (const secret of secrets) this.names.remember(secret.ID, secret.Spec?.Name);
    return secrets.map((secret) => ({
      id: secret.ID,
      name: secret.Spec?.Name ?? '',
      createdAt: secret.CreatedAt ?? '',
      labels: secret.Spec?.Labels ?? {},
    }));
  }

  async removeSecret(id: string): Promise<void> {
    const name = this.names.of(id);
    await this.call(`remove secret ${name}`, () => this.docker.getSecret(name).remove());
  }

  async inspectService(name: string): Promise<ServiceView> {
    const named = this.names.of(name);
    const service = (await this.call(`inspect service ${named}`, () => this.docker.getService(named).inspect())) as Docker.Service & {
      UpdateStatus?: { State?: string; Message?: string };
    };
    const view = mapService(service, named);
    this.names.remember(view.id, view.name);
    for (const ref of view.secrets) this.names.remember(ref.secretId, ref.secretName);
    for (const ref of view.configs ?? []) this.names.remember(ref.configId, ref.configName);
    return view;
  }

  async referencedSecrets(): Promise<Set<string>> {
    // The stack's services (a secret version of certkit's is referenced by its nginx alone; Swarm itself refuses to
    // remove one another service references): not every service's spec, which holds other apps' environments.
    const stack = this.names.stack;
    const services = await this.call('list services', () =>
      this.docker.listServices(stack === undefined ? {} : { filters: { label: [`${STACK_NAMESPACE_LABEL}=${stack}`] } }),
    );
    const ids = new Set<string>();
    for (const service of services) {
      const template = service.Spec?.TaskTemplate;
      const refs = template && 'ContainerSpec' in template ? (template.ContainerSpec?.Secrets ?? []) : [];
      for (const ref of refs) if (ref.SecretID) ids.add(ref.SecretID);
    }
    return ids;
  }

  async updateService(service: ServiceView, change: ServiceChange): Promise<string[]> {
    const spec = updatedSpec(service, change);
    const answer = (await this.call(`update service ${service.name}`, () =>
      this.docker.getService(service.name).update({ _query: { version: service.version }, _body: spec }),
    )) as { Warnings?: string[] | null } | undefined;
    return answer?.Warnings ?? [];
  }

  async listTasks(serviceId: string): Promise<TaskView[]> {
    const service = this.names.of(serviceId);
    const tasks = (await this.call(`list the tasks of service ${service}`, () =>
      this.docker.listTasks({ filters: { service: [service] } }),
    )) as RawTask[];
    return tasks.map((task) => {
      const view = mapTask(task, serviceId);
      if (service === serviceId) return view;
      const containerName = taskContainerName(service, view);
      this.names.remember(view.containerId, containerName);
      return { ...view, containerName };
    });
  }

  async listStackServices(stack: string): Promise<StackService[]> {
    const services = await this.call(`list the services of stack ${stack}`, () =>
      this.docker.listServices({ filters: { label: [`${STACK_NAMESPACE_LABEL}=${stack}`] } }),
    );
    this.names.stack = stack;
    return services.map((service) => {
      const name = service.Spec?.Name ?? service.ID;
      this.names.remember(service.ID, name);
      return {
        id: service.ID,
        name,
        short: name.startsWith(`${stack}_`) ? name.slice(stack.length + 1) : name,
        labels: service.Spec?.Labels ?? {},
      };
    });
  }

  async listConfigs(labels: readonly string[]): Promise<Array<SecretVersion & { labels: Record<string, string> }>> {
    const configs = await this.call('list configs', () => this.docker.listConfigs({ filters: { label: [...labels] } }));
    for (const config of configs) this.names.remember(config.ID, config.Spec?.Name);
    return configs.map((config) => ({
      id: config.ID,
      name: config.Spec?.Name ?? '',
      createdAt: config.CreatedAt ?? '',
      labels: config.Spec?.Labels ?? {},
    }));
  }

  async readConfig(id: string): Promise<Buffer> {
    const name = this.names.of(id);
    const config = (await this.call(`read config ${name}`, () => this.docker.getConfig(name).inspect())) as { Spec?: { Data?: string } };
    return Buffer.from(config.Spec?.Data ?? '', 'base64');
  }

  async createConfig(config: { name: string; data: Buffer; labels: Record<string, string> }): Promise<string> {
    const created = (await this.call(`create config ${config.name}`, () =>
      this.docker.createConfig({ _query: {}, _body: { Name: config.name, Labels: config.labels, Data: config.data.toString('base64') } }),
    )) as { id?: string; ID?: string };
    const id = created.id ?? created.ID;
    if (!id) throw new CertkitError('DOCKER_FAILED', `Docker created config ${config.name} but gave no id`);
    this.names.remember(id, config.name);
    return id;
  }

  async removeConfig(id: string): Promise<void> {
    const name = this.names.of(id);
    await this.call(`remove config ${name}`, () => this.docker.getConfig(name).remove());
  }

  async watchServiceEvents(stack: string, onEvent: (event: ServiceEvent) => void, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const filters = JSON.stringify({ type: ['service'], event: ['create', 'update', 'remove'] });
    const stream = (await this.call(`watch the services of stack ${stack}`, () => this.docker.getEvents({ filters }))) as Readable;
    const stop = (): void => void stream.destroy();
    signal.addEventListener('abort', stop, { once: true });
    let pending = '';
    try {
      for await (const chunk of stream) {
        const lines = (pending + String(chunk)).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          const event = parseServiceEvent(line, stack);
          if (event) onEvent(event);
        }
      }
    } catch (error) {
      if (!signal.aborted) throw error;
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }

  async containerHealth(containerId: string): Promise<ContainerHealth> {
    try {
      await this.versioned();
      const container = await this.docker.getContainer(this.names.of(containerId)).inspect();
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

  async nodeStates(): Promise<Map<string, NodeState>> {
    const nodes = (await this.call('list the nodes', () => this.docker.listNodes())) as Array<{
      ID?: string;
      Description?: { Hostname?: string };
      Spec?: { Availability?: string; Role?: string; Labels?: Record<string, string> };
      Status?: { State?: string };
    }>;
    return new Map(
      nodes.map((node) => [
        node.ID ?? '',
        {
          hostname: node.Description?.Hostname ?? node.ID ?? '',
          availability: node.Spec?.Availability ?? 'unknown',
          state: node.Status?.State ?? 'unknown',
          ...(node.Spec?.Role ? { role: node.Spec.Role } : {}),
          labels: node.Spec?.Labels ?? {},
        },
      ]),
    );
  }

  private call<T>(what: string, action: () => Promise<T>): Promise<T> {
    return swarmCall(this.endpoint, what, async () => {
      await this.versioned();
      return action();
    });
  }
}

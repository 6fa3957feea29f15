import type { Readable } from 'node:stream';
import Docker from 'dockerode';
import { connectionOptions } from '../docker/connect-engine.js';
import { CertkitError } from '../errors.js';
import type { ContainerHealth } from './health-gate.js';
import type { ServiceChange, ServiceView, StackApi, StackService } from './swarm-api-types.js';
import { swarmCall } from './swarm-errors.js';
import { fileRef, mapService, mapTask, parseServiceEvent, STACK_NAMESPACE_LABEL, type RawTask, type ServiceEvent } from './map-swarm.js';
import type { NodeState } from './rollout-failure.js';
import type { SecretVersion, TaskView } from './rotation-plan.js';

export type { ServiceChange, ServiceView, StackApi, StackService, SwarmApi } from './swarm-api-types.js';

/** The manager certkit runs on, through the socket (or DOCKER_HOST, unix:// or tcp://) passed in. */
export function createSwarmApi(env: NodeJS.ProcessEnv): StackApi {
  const endpoint = env['DOCKER_HOST'] || 'unix:///var/run/docker.sock';
  // The one reading of DOCKER_HOST (unix://, tcp://, TLS port), as the Engine has it.
  const options: Docker.DockerOptions = connectionOptions(endpoint, env);
  return new DockerSwarmApi(new Docker(options), endpoint);
}

class DockerSwarmApi implements StackApi {
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
    return mapService(service, name);
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
    const stopFirst = change.order === 'stop-first';
    const order = {
      Order: change.order ?? 'start-first',
      FailureAction: 'rollback',
      Monitor: change.monitorMs * 1_000_000,
      MaxFailureRatio: 0,
      // Stop-first (host-mode ports): one replica down at a time, whatever the stack file says.
      ...(stopFirst ? { Parallelism: 1 } : {}),
    };
    const spec: Docker.ServiceSpec = {
      ...service.spec,
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
    const answer = (await this.call(`update service ${service.name}`, () =>
      this.docker.getService(service.id).update({ _query: { version: service.version }, _body: spec }),
    )) as { Warnings?: string[] | null } | undefined;
    return answer?.Warnings ?? [];
  }

  async listTasks(serviceId: string): Promise<TaskView[]> {
    const tasks = (await this.call(`list the tasks of service ${serviceId}`, () =>
      this.docker.listTasks({ filters: { service: [serviceId] } }),
    )) as RawTask[];
    return tasks.map((task) => mapTask(task, serviceId));
  }

  async listStackServices(stack: string): Promise<StackService[]> {
    const services = await this.call(`list the services of stack ${stack}`, () =>
      this.docker.listServices({ filters: { label: [`${STACK_NAMESPACE_LABEL}=${stack}`] } }),
    );
    return services.map((service) => {
      const name = service.Spec?.Name ?? service.ID;
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
    return configs.map((config) => ({
      id: config.ID,
      name: config.Spec?.Name ?? '',
      createdAt: config.CreatedAt ?? '',
      labels: config.Spec?.Labels ?? {},
    }));
  }

  async readConfig(id: string): Promise<Buffer> {
    const config = (await this.call(`read config ${id}`, () => this.docker.getConfig(id).inspect())) as { Spec?: { Data?: string } };
    return Buffer.from(config.Spec?.Data ?? '', 'base64');
  }

  async createConfig(config: { name: string; data: Buffer; labels: Record<string, string> }): Promise<string> {
    const created = (await this.call(`create config ${config.name}`, () =>
      this.docker.createConfig({ Name: config.name, Labels: config.labels, Data: config.data.toString('base64') }),
    )) as { id?: string; ID?: string };
    const id = created.id ?? created.ID;
    if (!id) throw new CertkitError('DOCKER_FAILED', `Docker created config ${config.name} but gave no id`);
    return id;
  }

  async removeConfig(id: string): Promise<void> {
    await this.call(`remove config ${id}`, () => this.docker.getConfig(id).remove());
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

  async nodeStates(): Promise<Map<string, NodeState>> {
    const nodes = (await this.call('list the nodes', () => this.docker.listNodes())) as Array<{
      ID?: string;
      Description?: { Hostname?: string };
      Spec?: { Availability?: string };
      Status?: { State?: string };
    }>;
    return new Map(
      nodes.map((node) => [
        node.ID ?? '',
        {
          hostname: node.Description?.Hostname ?? node.ID ?? '',
          availability: node.Spec?.Availability ?? 'unknown',
          state: node.Status?.State ?? 'unknown',
        },
      ]),
    );
  }

  private call<T>(what: string, action: () => Promise<T>): Promise<T> {
    return swarmCall(this.endpoint, what, action);
  }
}

import type Docker from 'dockerode';
import type { ContainerHealth, UpdateState } from './health-gate.js';
import type { ConfigRef, ServiceEvent } from './map-swarm.js';
import type { NodeState } from './rollout-failure.js';
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
  /** Node id → hostname, availability and state: tells a drain or a lost node from a failing task. */
  nodeStates?(): Promise<Map<string, NodeState>>;
}

/** What driving a whole stack adds: its services by the stack's label, and Swarm configs (nginx.conf's versions). */
export interface StackApi extends SwarmApi {
  /** The services `docker stack deploy` made for this stack (label com.docker.stack.namespace), with their labels. */
  listStackServices(stack: string): Promise<StackService[]>;
  listConfigs(labels: readonly string[]): Promise<Array<SecretVersion & { labels: Record<string, string> }>>;
  /** A config's data (Swarm gives a config's data back; never a secret's). */
  readConfig(id: string): Promise<Buffer>;
  createConfig(config: { name: string; data: Buffer; labels: Record<string, string> }): Promise<string>;
  removeConfig(id: string): Promise<void>;
  /**
   * Calls `onEvent` for each create, update or removal of one of the stack's services, until `signal` aborts;
   * resolves when the engine ends the stream (the caller watches again).
   */
  watchServiceEvents(stack: string, onEvent: (event: ServiceEvent) => void, signal: AbortSignal): Promise<void>;
}

/** A service of the stack: its name, short name, and its `deploy.labels` (the service's Spec.Labels). */
export interface StackService {
  id: string;
  /** As Swarm names it: STACK_SERVICE. */
  name: string;
  /** As the stack file names it (the name less `STACK_`). */
  short: string;
  labels: Record<string, string>;
}

export interface ServiceView {
  id: string;
  name: string;
  version: number;
  replicas: number | undefined;
  /** Global mode: a task on every eligible node (absent in views built by hand: not global). */
  global?: boolean;
  /** Its placement constraints (`node.role == worker`), as Swarm holds them. */
  constraints?: string[];
  secrets: SecretRef[];
  /** The configs its tasks mount (absent in views built by hand). */
  configs?: ConfigRef[];
  updateState: UpdateState;
  updateMessage: string | undefined;
  /** The spec as Swarm holds it: an update sends it back whole with the changes, so nothing else is reset. */
  spec: Docker.ServiceSpec;
}

export interface ServiceChange {
  /** The service's whole secret list, when it changes. */
  secrets?: SecretRef[];
  /** The service's whole config list, when it changes. */
  configs?: ConfigRef[];
  /** Swarm's update and rollback order and failure action, enforced at every rotation. */
  monitorMs: number;
  /** start-first unless the service publishes host-mode ports (src/swarm/update-order.ts); then one task at a time. */
  order?: 'start-first' | 'stop-first';
  /**
   * Set to replace an update Swarm holds (written to the service's `certkit.rollout` label): the same spec sent again
   * leaves Swarm's held update running (its updater keeps its old view of the tasks); a changed label ends it.
   */
  supersede?: string;
}

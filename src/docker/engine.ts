import type { Readable } from 'node:stream';

/**
 * certkit's view of the Docker engine: the few calls it makes, in its own types. docker-engine.ts implements it
 * with dockerode; nothing else in certkit touches dockerode. Every method fails with a CertkitError that names
 * the cause and the fix (a stopped container is CONTAINER_NOT_RUNNING, a lost engine DOCKER_UNREACHABLE).
 */
export interface Engine {
  /** Where the engine is reached, for messages ("unix:///var/run/docker.sock"). */
  readonly endpoint: string;
  ping(): Promise<void>;
  listContainers(filter: { project: string; service?: string; all?: boolean }): Promise<ServiceContainer[]>;
  inspectContainer(idOrName: string): Promise<ServiceContainer | undefined>;
  /**
   * Every container carrying the label, of any project, from the list alone (no inspect per container: certkit
   * reads other apps' containers only as far as their labels, names, networks and ports).
   */
  listLabelled(label: string, options?: { all?: boolean }): Promise<ServiceContainer[]>;
  /**
   * Calls `onEvent` for each start, stop, death or removal of a container carrying the label, until `signal` aborts.
   * Resolves when the engine ends the stream (a restart, say): the caller decides whether to watch again.
   */
  watchContainerEvents(label: string, onEvent: (event: ContainerEvent) => void, signal: AbortSignal): Promise<void>;
  exec(containerId: string, argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  /**
   * Starts argv with its stdin held open by this process. The process reads end-of-file on stdin when `close()` is
   * called or when this process dies, however it dies (the engine closes the stream with the connection): a lease.
   */
  execHeld(containerId: string, argv: readonly string[]): Promise<HeldExec>;
  signal(containerId: string, signal: string): Promise<void>;
  getArchive(containerId: string, path: string): Promise<Readable>;
  putArchive(containerId: string, path: string, tar: Buffer | NodeJS.ReadableStream): Promise<void>;
}

export interface ServiceContainer {
  id: string;
  name: string;
  project: string | undefined;
  service: string | undefined;
  running: boolean;
  state: string;
  /** When the container last started (RFC 3339), as the engine reports it. */
  startedAt?: string;
  /** Network name → this container's IPv4 address on it. */
  networks: Record<string, string>;
  /** Published ports. */
  ports: PublishedPort[];
  /** Ports the container exposes (TCP), published or not; known from the container list. */
  exposedPorts?: number[];
  labels: Record<string, string>;
}

export interface ContainerEvent {
  /** start, stop, die, destroy, ... as the engine names them. */
  action: string;
  id: string;
  name: string;
}

export interface PublishedPort {
  containerPort: number;
  protocol: string;
  hostIp: string;
  hostPort: number;
}

export interface ExecOptions {
  env?: readonly string[];
  /** Called with each chunk of output as it arrives (certbot's progress, say). */
  onOutput?: (text: string, stream: 'stdout' | 'stderr') => void;
  timeoutMs?: number;
}

export interface HeldExec {
  /** The first line the process writes to stdout, or undefined when it ends without one. */
  firstLine: Promise<string | undefined>;
  /** Ends stdin and waits for the process to end. */
  close(): Promise<ExecResult>;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export const COMPOSE_LABELS = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  workingDir: 'com.docker.compose.project.working_dir',
} as const;

import { Socket } from 'node:net';
import { PassThrough, type Readable } from 'node:stream';
import Docker from 'dockerode';
import { CertkitError, isCertkitError } from '../errors.js';
import {
  COMPOSE_LABELS,
  type ContainerEvent,
  type Engine,
  type ExecOptions,
  type ExecResult,
  type HeldExec,
  type ServiceContainer,
} from './engine.js';
import { connectionOptions, negotiateApiVersion, versionOnce } from './connect-engine.js';
import { connectionHint, notUpgraded, statusOf, stoppedError, toEngineError } from './engine-errors.js';
import { collectOutput, readExitCode, waitForEnd, type Output } from './exec-stream.js';
import { parseContainerEvent } from './container-events.js';
import { mapInspect, mapSummary } from './map-container.js';

/**
 * Connects the way the docker CLI does: DOCKER_HOST (unix:// or tcp://) from the environment passed in, else the
 * local socket. The environment is read here, not by dockerode, so callers and tests decide what it holds.
 */
export function createDockerEngine(env: NodeJS.ProcessEnv): Engine {
  const endpoint = env['DOCKER_HOST'] || 'unix:///var/run/docker.sock';
  const options = connectionOptions(endpoint, env);
  return new DockerodeEngine(new Docker(options), endpoint, () => negotiateApiVersion(options));
}

class DockerodeEngine implements Engine {
  /**
   * Every path carries the API version (/v1.41/…): the socket proxy refuses unversioned ones. The version is the
   * engine's own, capped at NEWEST_API_VERSION, asked once with a versioned ping before the first call.
   */
  private readonly versioned: () => Promise<void>;

  constructor(
    private readonly docker: Docker,
    readonly endpoint: string,
    negotiate: () => Promise<string>,
  ) {
    this.versioned = versionOnce(docker, negotiate);
  }

  async ping(): Promise<void> {
    try {
      await this.versioned();
      await this.docker.ping();
    } catch (error) {
      if (isCertkitError(error)) throw error;
      throw new CertkitError(
        'DOCKER_UNREACHABLE',
        `Docker is not reachable at ${this.endpoint} (${connectionHint(error)}). Set DOCKER_HOST to use another engine.`,
        { cause: error },
      );
    }
  }

  async listContainers(filter: { project: string; service?: string; all?: boolean }): Promise<ServiceContainer[]> {
    const label = [`${COMPOSE_LABELS.project}=${filter.project}`];
    if (filter.service) label.push(`${COMPOSE_LABELS.service}=${filter.service}`);
    const summaries = await this.call(`list the containers of Compose project "${filter.project}"`, undefined, () =>
      this.docker.listContainers({ all: filter.all ?? false, filters: { label } }),
    );
    // By name: the socket proxy lets certkit inspect this project's containers only, which it knows by their names.
    const found = await Promise.all(summaries.map((summary) => this.inspectContainer(mapSummary(summary).name)));
    return found.filter((container): container is ServiceContainer => container !== undefined);
  }

  async listLabelled(label: string, options: { all?: boolean } = {}): Promise<ServiceContainer[]> {
    const summaries = await this.call(`list the containers labelled ${label}`, undefined, () =>
      this.docker.listContainers({ all: options.all ?? false, filters: { label: [label] } }),
    );
    return summaries.map(mapSummary);
  }

  async watchContainerEvents(label: string, onEvent: (event: ContainerEvent) => void, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    // The label first: the socket proxy matches this query whole, in this order (src/docker/api-allowlist.ts).
    const filters = JSON.stringify({ label: [label], type: ['container'], event: ['start', 'stop', 'die', 'destroy'] });
    const stream = (await this.call(`watch the events of containers labelled ${label}`, undefined, () =>
      this.docker.getEvents({ filters }),
    )) as Readable;
    const stop = (): void => void stream.destroy();
    signal.addEventListener('abort', stop, { once: true });
    let pending = '';
    try {
      for await (const chunk of stream) {
        pending += String(chunk);
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines.filter((text) => text.trim() !== '')) {
          const event = parseContainerEvent(line);
          if (event) onEvent(event);
        }
      }
    } catch (error) {
      if (!signal.aborted) throw await this.toCertkitError(error, `watch the events of containers labelled ${label}`, undefined);
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }

  async inspectContainer(idOrName: string): Promise<ServiceContainer | undefined> {
    try {
      await this.versioned();
      return mapInspect(await this.docker.getContainer(idOrName).inspect());
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw await this.toCertkitError(error, `inspect container ${idOrName}`, undefined);
    }
  }

  async exec(containerId: string, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const what = `run ${argv[0] ?? 'a command'}`;
    const { exec, stream } = await this.startExec(containerId, argv, { env: options.env, stdin: false }, what);
    const output = collectOutput(this.docker.modem, stream, options.onOutput);
    try {
      await waitForEnd(stream, options.timeoutMs, argv);
    } catch (error) {
      throw await this.toCertkitError(error, what, containerId);
    }
    return this.finish(containerId, exec, output, what);
  }

  async execHeld(containerId: string, argv: readonly string[]): Promise<HeldExec> {
    const what = `run ${argv[0] ?? 'a command'}`;
    const { exec, stream } = await this.startExec(containerId, argv, { stdin: true }, what);
    const output = collectOutput(this.docker.modem, stream);
    const ended = waitForEnd(stream, undefined, argv).catch(() => undefined);
    const firstLine = new Promise<string | undefined>((resolve) => {
      const check = (): void => {
        const text = output.stdout.join('');
        if (text.includes('\n')) resolve(text.slice(0, text.indexOf('\n')));
      };
      output.listeners.push(check);
      void ended.then(() => resolve(undefined));
    });
    return {
      firstLine,
      close: async () => {
        (stream as unknown as { end(): void }).end();
        await ended;
        return this.finish(containerId, exec, output, what);
      },
    };
  }

  async signal(containerId: string, signal: string): Promise<void> {
    await this.call(`send ${signal}`, containerId, () => this.docker.getContainer(containerId).kill({ signal }));
  }

  async getArchive(containerId: string, path: string): Promise<Readable> {
    const what = `read ${path}`;
    const source = (await this.call(what, containerId, () =>
      this.docker.getContainer(containerId).getArchive({ path }),
    )) as unknown as Readable;
    // An error in the middle of the archive (the container removed, the engine gone) arrives as a certkit error too.
    const guarded = new PassThrough();
    source.on('error', (error: unknown) => void this.toCertkitError(error, what, containerId).then((wrapped) => guarded.destroy(wrapped)));
    return source.pipe(guarded);
  }

  async putArchive(containerId: string, path: string, tar: Buffer | NodeJS.ReadableStream): Promise<void> {
    if (Buffer.isBuffer(tar)) {
      await this.call(`write into ${path}`, containerId, () => this.docker.getContainer(containerId).putArchive(tar, { path }));
      return;
    }
    // A streamed body that fails half-way must end the request, or Docker waits for the rest of it for ever; the
    // stream's own error (say, an archive over its size limit) is the one worth reporting.
    const abort = new AbortController();
    let bodyError: unknown;
    tar.on('error', (error: unknown) => {
      bodyError = error;
      abort.abort(error);
    });
    try {
      await this.call(`write into ${path}`, containerId, () =>
        this.docker.getContainer(containerId).putArchive(tar, { path, abortSignal: abort.signal }),
      );
    } catch (error) {
      throw bodyError ?? error;
    }
  }

  private async startExec(
    containerId: string,
    argv: readonly string[],
    options: { env?: readonly string[] | undefined; stdin: boolean },
    what: string,
  ): Promise<{ exec: Docker.Exec; stream: NodeJS.ReadWriteStream }> {
    return this.call(what, containerId, async () => {
      const container = this.docker.getContainer(containerId);
      const exec = await container.exec({
        Cmd: [...argv],
        Env: options.env ? [...options.env] : undefined,
        AttachStdin: options.stdin,
        AttachStdout: true,
        AttachStderr: true,
      });
      const stream = (await exec.start({ hijack: true, stdin: options.stdin })) as NodeJS.ReadWriteStream;
      if (options.stdin && !(stream instanceof Socket)) throw notUpgraded(this.endpoint, stream);
      return { exec, stream };
    });
  }

  /**
   * The exit code, once the engine reports it. A process killed by a signal, or one whose end the engine never
   * reports, is checked against its container: when the container stopped, that is the error the user sees.
   */
  private async finish(containerId: string, exec: Docker.Exec, output: Output, what: string): Promise<ExecResult> {
    let exitCode: number | undefined;
    try {
      exitCode = await readExitCode(exec);
    } catch (error) {
      await this.assertRunning(containerId, what, error);
      throw await this.toCertkitError(error, what, containerId);
    }
    if (exitCode >= 128) await this.assertRunning(containerId, what, undefined);
    return { exitCode, stdout: output.stdout.join(''), stderr: output.stderr.join('') };
  }

  /**
   * Throws CONTAINER_NOT_RUNNING when the container stopped. A `docker kill` ends the container's processes a moment
   * before the engine marks it exited, so a container still running is looked at again for up to two seconds.
   */
  private async assertRunning(containerId: string, what: string, cause: unknown): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const container = await this.inspectContainer(containerId).catch(() => undefined);
      if (!container?.running)
        throw stoppedError(container, containerId, what, container ? `it is ${container.state}` : 'it no longer exists', cause);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Every engine call goes through here once, so its failure reaches the user as a certkit error with a fix. */
  private async call<T>(what: string, containerId: string | undefined, action: () => Promise<T>): Promise<T> {
    try {
      await this.versioned();
      return await action();
    } catch (error) {
      throw await this.toCertkitError(error, what, containerId);
    }
  }

  private toCertkitError(error: unknown, what: string, containerId: string | undefined): Promise<CertkitError> {
    return toEngineError(error, { endpoint: this.endpoint, what, containerId, inspect: (id) => this.inspectContainer(id) });
  }
}

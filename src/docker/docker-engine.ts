import { PassThrough, type Readable } from 'node:stream';
import Docker from 'dockerode';
import { CertkitError } from '../errors.js';
import { COMPOSE_LABELS, type Engine, type ExecOptions, type ExecResult, type ServiceContainer } from './engine.js';
import { mapInspect, type InspectJson } from './map-container.js';

/**
 * Connects the way the docker CLI does: DOCKER_HOST (unix:// or tcp://) from the environment passed in, else the
 * local socket. The environment is read here, not by dockerode, so callers and tests decide what it holds.
 */
export function createDockerEngine(env: NodeJS.ProcessEnv): Engine {
  const endpoint = env['DOCKER_HOST'] || 'unix:///var/run/docker.sock';
  return new DockerodeEngine(new Docker(connectionOptions(endpoint, env)), endpoint);
}

function connectionOptions(endpoint: string, env: NodeJS.ProcessEnv): Docker.DockerOptions {
  if (endpoint.startsWith('unix://')) return { socketPath: endpoint.slice('unix://'.length) };
  const tcp = /^tcp:\/\/([^:/]+)(?::(\d+))?\/?$/.exec(endpoint);
  if (tcp) {
    const tls = Boolean(env['DOCKER_TLS_VERIFY']);
    return { host: tcp[1], port: Number(tcp[2] ?? (tls ? 2376 : 2375)), protocol: tls ? 'https' : 'http' };
  }
  throw new CertkitError('DOCKER_UNREACHABLE', `DOCKER_HOST="${endpoint}" is not supported: use unix:///path/to/docker.sock or tcp://host:port`);
}

class DockerodeEngine implements Engine {
  constructor(
    private readonly docker: Docker,
    readonly endpoint: string,
  ) {}

  async ping(): Promise<void> {
    try {
      await this.docker.ping();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const hint =
        code === 'EACCES'
          ? 'permission denied: run as root or as a member of the docker group'
          : code === 'ENOENT' || code === 'ECONNREFUSED'
            ? 'no engine answers there: is Docker installed and dockerd running?'
            : String((error as Error).message);
      throw new CertkitError('DOCKER_UNREACHABLE', `Docker is not reachable at ${this.endpoint} (${hint}). Set DOCKER_HOST to use another engine.`, { cause: error });
    }
  }

  async listContainers(filter: { project: string; service?: string; all?: boolean }): Promise<ServiceContainer[]> {
    const label = [`${COMPOSE_LABELS.project}=${filter.project}`];
    if (filter.service) label.push(`${COMPOSE_LABELS.service}=${filter.service}`);
    const summaries = await this.docker.listContainers({ all: filter.all ?? false, filters: { label } });
    const found = await Promise.all(summaries.map((summary) => this.inspectContainer(summary.Id)));
    return found.filter((container): container is ServiceContainer => container !== undefined);
  }

  async inspectContainer(idOrName: string): Promise<ServiceContainer | undefined> {
    try {
      return mapInspect((await this.docker.getContainer(idOrName).inspect()) as InspectJson);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  }

  async exec(containerId: string, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const container = this.docker.getContainer(containerId);
    const exec = await container.exec({ Cmd: [...argv], Env: options.env ? [...options.env] : undefined, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const chunks = { stdout: [] as string[], stderr: [] as string[] };
    const sink = (name: 'stdout' | 'stderr'): PassThrough => {
      const pass = new PassThrough();
      pass.setEncoding('utf8');
      pass.on('data', (text: string) => {
        chunks[name].push(text);
        options.onOutput?.(text, name);
      });
      return pass;
    };
    this.docker.modem.demuxStream(stream, sink('stdout'), sink('stderr'));
    await waitForEnd(stream, options.timeoutMs, argv);
    const exitCode = await readExitCode(exec);
    return { exitCode, stdout: chunks.stdout.join(''), stderr: chunks.stderr.join('') };
  }

  async signal(containerId: string, signal: string): Promise<void> {
    await this.docker.getContainer(containerId).kill({ signal });
  }

  async getArchive(containerId: string, path: string): Promise<Readable> {
    return (await this.docker.getContainer(containerId).getArchive({ path })) as unknown as Readable;
  }

  async putArchive(containerId: string, path: string, tar: Buffer): Promise<void> {
    await this.docker.getContainer(containerId).putArchive(tar, { path });
  }
}

function waitForEnd(stream: NodeJS.ReadableStream, timeoutMs: number | undefined, argv: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = timeoutMs
      ? setTimeout(() => {
          (stream as unknown as { destroy?: () => void }).destroy?.();
          reject(new CertkitError('TIMEOUT', `${argv[0]} did not finish within ${Math.round(timeoutMs / 1000)} s`));
        }, timeoutMs)
      : undefined;
    const done = (error?: Error): void => {
      if (timer) clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    };
    stream.on('end', () => done());
    stream.on('close', () => done());
    stream.on('error', (error: Error) => done(error));
  });
}

/** The exit code is null until the engine has seen the process end, which can lag the stream's end a little. */
async function readExitCode(exec: Docker.Exec): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const info = await exec.inspect();
    if (!info.Running && info.ExitCode !== null && info.ExitCode !== undefined) return info.ExitCode;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new CertkitError('EXEC_FAILED', 'the engine never reported an exit code for an exec');
}

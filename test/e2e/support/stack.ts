import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inject } from 'vitest';
import { removeProject, runCommand, type CommandResult } from './docker-cli.js';

export const REPO = resolve(import.meta.dirname, '../../..');

/** Files of the kit a user gets in a clone; rendered output is left behind so every stack renders afresh. */
const KIT_FILES = [
  'docker-compose.yaml',
  'compose.metrics.yaml',
  'compose.own-nginx.yaml',
  'compose.docker-socket.yaml',
  'templates',
  'nginx',
  'certbot',
  'pebble',
];
const RENDERED =
  /(^|\/)(nginx\/(site-https?|certkit-[a-z]+|default-server)\.conf|nginx\/sites(\/.*)?|certbot\/(entrypoint|update-cert|deploy-hook)\.sh)$/;

/**
 * A copy of the kit in a temp folder with its own `.env`, run as a unique Compose project on 127.0.0.1 ports.
 * destroy() removes everything the project made, by label, even after a failed test.
 */
export class TestStack {
  /**
   * The Compose files of this stack, in order: the kit's, the test override (internal networks, 127.0.0.1), and on
   * the legacy stack the override for its older pebble-challtestsrv flags. A test may add its own (copied into `dir`).
   */
  readonly composeFiles: string[];

  private constructor(
    appFiles: readonly string[],
    readonly dir: string,
    readonly project: string,
    readonly names: string[],
    readonly httpPort: number,
    readonly httpsPort: number,
  ) {
    this.composeFiles = [...appFiles, 'compose.test.yaml', ...(inject('stack') === 'legacy' ? ['compose.legacy.yaml'] : [])];
  }

  /**
   * `fixture` (a folder under test/e2e/fixtures) is copied over the kit copy: an app's own files, say. `composeFiles`
   * then names the Compose files before the test overrides (default: the kit's docker-compose.yaml).
   */
  static async create(
    options: {
      env?: Record<string, string>;
      names?: number;
      pebbleValiditySeconds?: number;
      fixture?: string;
      composeFiles?: readonly string[];
    } = {},
  ): Promise<TestStack> {
    const id = randomBytes(4).toString('hex');
    const project = `ck${id}`;
    const dir = await mkdtemp(join(tmpdir(), `certkit-e2e-${id}-`));
    for (const entry of KIT_FILES) {
      await cp(join(REPO, entry), join(dir, entry), { recursive: true, filter: (source) => !RENDERED.test(source) });
    }
    await cp(join(REPO, 'test/e2e/compose.test.yaml'), join(dir, 'compose.test.yaml'));
    await cp(join(REPO, 'test/e2e/compose.legacy.yaml'), join(dir, 'compose.legacy.yaml'));
    if (options.fixture) await cp(join(REPO, 'test/e2e/fixtures', options.fixture), dir, { recursive: true });
    if (options.pebbleValiditySeconds) await writePebbleConfig(dir, options.pebbleValiditySeconds);
    const names = [`site-${id}.test`, `www.site-${id}.test`, `api.site-${id}.test`].slice(0, options.names ?? 2);
    const [httpPort, httpsPort] = [await freePort(), await freePort()];
    const stack = new TestStack(options.composeFiles ?? ['docker-compose.yaml'], dir, project, names, httpPort, httpsPort);
    await stack.writeEnv({ CERTBOT_DOMAIN: names.join(','), ...options.env });
    return stack;
  }

  /** Writes `.env`: the test values over a base that keeps everything on this machine. */
  async writeEnv(values: Record<string, string>): Promise<void> {
    const base: Record<string, string> = {
      CERTBOT_EMAIL: 'admin@example.org',
      CERTBOT_SERVER: 'pebble',
      NGINX_BIND: '127.0.0.1',
      NGINX_HTTP_PORT: String(this.httpPort),
      NGINX_HTTPS_PORT: String(this.httpsPort),
      // Each test stack its own sites network: the default name is shared by every stack on the engine.
      CERTKIT_SITES_NETWORK: `${this.project}-sites`,
      // Compose v1 tells the services (certkit-init renders the socket proxy's rules) no project name of its own.
      COMPOSE_PROJECT_NAME: this.project,
    };
    const merged = { ...base, ...values };
    await writeFile(
      join(this.dir, '.env'),
      Object.entries(merged)
        .map(([key, value]) => `${key}=${value}\n`)
        .join(''),
    );
  }

  composeEnv(): NodeJS.ProcessEnv {
    return { ...process.env, ...inject('images') };
  }

  compose(args: readonly string[], profiles: readonly string[] = ['certbot', 'pebble']): Promise<CommandResult> {
    const [command, ...prefix] = inject('composeCommand');
    const files = [
      '-p',
      this.project,
      ...this.composeFiles.flatMap((file) => ['-f', file]),
      ...profiles.flatMap((profile) => ['--profile', profile]),
    ];
    return runCommand(command as string, [...prefix, ...files, ...args], { cwd: this.dir, env: this.composeEnv(), timeoutMs: 240_000 });
  }

  async up(profiles?: readonly string[]): Promise<void> {
    const result = await this.compose(['up', '-d'], profiles);
    if (result.code !== 0) throw new Error(`compose up failed:\n${result.stderr}`);
  }

  /** Runs the certkit CLI on the host against this stack, as a user would with `npx certkit`. */
  certkit(args: readonly string[], env: Record<string, string> = {}): Promise<CommandResult> {
    return runCommand(process.execPath, [join(REPO, 'bin/certkit.js'), '--project-name', this.project, ...args], {
      cwd: this.dir,
      env: { ...process.env, CI: '', ...env },
      timeoutMs: 240_000,
    });
  }

  async logs(): Promise<string> {
    const result = await this.compose(['logs', '--no-color', '--tail', '200']);
    return result.stdout + result.stderr;
  }

  async containerId(service: string): Promise<string> {
    const result = await runCommand('docker', [
      'ps',
      '-q',
      '--filter',
      `label=com.docker.compose.project=${this.project}`,
      '--filter',
      `label=com.docker.compose.service=${service}`,
    ]);
    const id = result.stdout.split('\n').find(Boolean);
    if (!id) throw new Error(`no running ${service} container in ${this.project}`);
    return id;
  }

  async exec(service: string, argv: readonly string[]): Promise<CommandResult> {
    return runCommand('docker', ['exec', await this.containerId(service), ...argv]);
  }

  async listDir(service: string, path: string): Promise<string[]> {
    const result = await this.exec(service, ['ls', '-1', path]);
    return result.stdout.split('\n').filter(Boolean);
  }

  async destroy(): Promise<void> {
    await removeProject(this.project);
    await rm(this.dir, { recursive: true, force: true });
  }
}

async function writePebbleConfig(dir: string, seconds: number): Promise<void> {
  await writePebbleFile(dir, {
    certificateValidityPeriod: seconds,
    profiles: { default: { description: 'e2e', validityPeriod: seconds } },
  });
}

/** Writes the kit copy's Pebble config: the listeners the compose file expects, plus these validity settings. */
export async function writePebbleFile(dir: string, validity: Record<string, unknown>): Promise<void> {
  const config = {
    pebble: {
      listenAddress: '0.0.0.0:14000',
      managementListenAddress: '0.0.0.0:15000',
      certificate: '/test/certs/localhost/cert.pem',
      privateKey: '/test/certs/localhost/key.pem',
      httpPort: 80,
      tlsPort: 443,
      ocspResponderURL: '',
      externalAccountBindingRequired: false,
      ...validity,
    },
  };
  await writeFile(join(dir, 'pebble/pebble-config.json'), JSON.stringify(config, null, 2));
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Files in a folder of the host copy (for checking what certkit rendered). */
export async function listFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

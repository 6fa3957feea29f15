import { stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { Config, SwarmConfig } from '../config/config.js';
import type { Engine, ServiceContainer } from '../docker/engine.js';
import { CertkitError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Sleep } from '../wait-for.js';

export interface GlobalOptions {
  projectDir?: string;
  projectName?: string;
  envFile?: string;
}

export interface Io {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The clock, passed in so tests can fix it. */
  now: () => Date;
  /** Waits (lock polling, daemon pauses); passed in so tests need not wait. Ends early, without error, on abort. */
  sleep: Sleep;
  /** Builds the Docker engine; tests pass a fake. May be async, so dockerode is loaded only when a command needs it. */
  createEngine: (env: NodeJS.ProcessEnv) => Engine | Promise<Engine>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/*
 * Commands are registered in cli/main.ts, one `registerX(program, context)` per file in commands/. A command file
 * imports at the top only what defining its options needs (commander, this file, errors, exit codes, types); the
 * modules its action runs are loaded inside the action with `await import(...)`, so `certkit --help` and a
 * configuration error load no Docker client, template engine or metrics library (test/unit/cli/lazy-imports.test.ts).
 */

/** What every command's registration receives: the surroundings, the global options, a logger, the exit code. */
export interface CommandContext {
  io: Io;
  globals: () => GlobalOptions;
  logger: (options?: { timestamps?: boolean }) => Logger;
  setExit: (code: number) => void;
  signal: AbortSignal | undefined;
}

/**
 * Reads .env and the environment into a Config. Nothing here touches Docker: bad configuration fails first. A caller
 * that reads the configuration again and again (the daemon) passes `warned`, so each misspelling warning is printed
 * once, not at every check.
 */
export async function loadProjectConfig(
  options: GlobalOptions,
  io: Io,
  warned?: Set<string>,
): Promise<{ config: Config; projectDir: string; envFileProject: string | undefined }> {
  const projectDir = resolve(io.cwd, options.projectDir ?? '.');
  const path = resolve(projectDir, options.envFile ?? join(projectDir, '.env'));
  const [{ readEnvFile }, { unknownVariableWarnings }, { loadConfig }] = await Promise.all([
    import('../config/read-env-file.js'),
    import('../config/unknown-variables.js'),
    import('../config/load-config.js'),
  ]);
  const file = await readEnvFile(path);
  // Messages name the file as the user would type it: relative to where they are, when it is below there.
  if (file && !relative(io.cwd, path).startsWith('..')) file.path = relative(io.cwd, path);
  for (const warning of unknownVariableWarnings({ env: io.env, file })) {
    if (warned?.has(warning)) continue;
    warned?.add(warning);
    io.stderr(`certkit: warning: ${warning}\n`);
  }
  const config = loadConfig({
    env: io.env,
    file,
    missingFile: file ? undefined : relative(io.cwd, path).startsWith('..') ? path : relative(io.cwd, path),
  });
  await checkDnsCredentials(config, projectDir, io.env);
  return { config, projectDir, envFileProject: file?.values['COMPOSE_PROJECT_NAME'] };
}

/**
 * The DNS credentials file, where this process can see it: on the host, the path itself; in certkit's own containers
 * (CERTKIT_CONTAINER), its read-only mount, which certkit-init has and the daemon has not (the certbot preflight
 * checks it there). Only stat: the file holds secrets, and nothing here opens it.
 */
async function checkDnsCredentials(config: Config, projectDir: string, env: NodeJS.ProcessEnv): Promise<void> {
  if (config.challenge.type !== 'dns' || config.challenge.credentials === undefined) return;
  const [{ credentialsFileProblem }, { configError }, { CONTAINER_PATHS, inCertkitContainer }] = await Promise.all([
    import('../config/dns-challenge.js'),
    import('../config/config-error.js'),
    import('../stack/layout.js'),
  ]);
  const path = config.challenge.credentials;
  const inContainer = inCertkitContainer(env);
  const found = await stat(inContainer ? CONTAINER_PATHS.dnsCredentials : resolve(projectDir, path)).then(
    (info) => ({ isFile: info.isFile(), mode: info.mode, size: info.size }),
    () => (inContainer ? ('not mounted' as const) : undefined),
  );
  const problem = credentialsFileProblem(path, projectDir, found);
  if (problem) throw configError([problem]);
}

/**
 * The project folder, its COMPOSE_PROJECT_NAME, the nginx service's name (CERTKIT_NGINX_SERVICE) and the Swarm stack
 * (CERTKIT_SWARM_STACK), from the environment or .env, for commands that act on the store and need no valid Config.
 */
export async function loadProjectEnv(
  options: GlobalOptions,
  io: Io,
): Promise<{ projectDir: string; envFileProject: string | undefined; nginxService: string | undefined; swarm: SwarmConfig | undefined }> {
  const projectDir = resolve(io.cwd, options.projectDir ?? '.');
  const [{ readEnvFile }, { loadSwarmConfig }] = await Promise.all([
    import('../config/read-env-file.js'),
    import('../config/load-config.js'),
  ]);
  const file = await readEnvFile(resolve(projectDir, options.envFile ?? join(projectDir, '.env')));
  const setting = (name: string): string | undefined => (io.env[name] ?? file?.values[name])?.trim() || undefined;
  return {
    projectDir,
    envFileProject: file?.values['COMPOSE_PROJECT_NAME'],
    nginxService: setting('CERTKIT_NGINX_SERVICE'),
    // Swarm mode (docs/swarm.md), read as Config's swarm is: status and doctor report the stack's nginx replicas.
    swarm: loadSwarmConfig({ env: io.env, file }),
  };
}

/** Connects to Docker and works out which Compose project to act on. */
export async function connectStack(
  options: GlobalOptions,
  io: Io,
  projectDir: string,
  envFileProject: string | undefined,
): Promise<{ engine: Engine; project: string; self: ServiceContainer | undefined }> {
  const [engine, { findSelf }, { resolveProjectName }] = await Promise.all([
    io.createEngine(io.env),
    import('../stack/find-stack.js'),
    import('../stack/compose-project.js'),
  ]);
  await engine.ping();
  const self = await findSelf(engine, io.env);
  if (self?.project && !options.projectName) return { engine, project: self.project, self };
  const resolved = resolveProjectName({ explicit: options.projectName, env: io.env, envFileValue: envFileProject, projectDir });
  if (!resolved) throw new CertkitError('USAGE', `cannot tell the Compose project name from ${projectDir}; pass --project-name`);
  return { engine, project: resolved.name, self };
}

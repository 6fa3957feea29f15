import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { credentialsFileProblem } from '../config/dns-challenge.js';
import { configError, loadConfig } from '../config/load-config.js';
import type { Config } from '../config/config.js';
import { readEnvFile } from '../config/read-env-file.js';
import { unknownVariableWarnings } from '../config/unknown-variables.js';
import type { Engine, ServiceContainer } from '../docker/engine.js';
import { CertkitError } from '../errors.js';
import { resolveProjectName } from '../stack/compose-project.js';
import { findSelf } from '../stack/find-stack.js';
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
  /** Builds the Docker engine; tests pass a fake. */
  createEngine: (env: NodeJS.ProcessEnv) => Engine;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** What every command's registration receives: the surroundings, the global options, a logger, the exit code. */
export interface CommandContext {
  io: Io;
  globals: () => GlobalOptions;
  logger: (options?: { timestamps?: boolean }) => Logger;
  setExit: (code: number) => void;
  signal: AbortSignal | undefined;
}

/** Reads .env and the environment into a Config. Nothing here touches Docker: bad configuration fails first. */
export async function loadProjectConfig(
  options: GlobalOptions,
  io: Io,
): Promise<{ config: Config; projectDir: string; envFileProject: string | undefined }> {
  const projectDir = resolve(io.cwd, options.projectDir ?? '.');
  const path = resolve(projectDir, options.envFile ?? join(projectDir, '.env'));
  const file = await readEnvFile(path);
  // Messages name the file as the user would type it: relative to where they are, when it is below there.
  if (file && !relative(io.cwd, path).startsWith('..')) file.path = relative(io.cwd, path);
  for (const warning of unknownVariableWarnings({ env: io.env, file })) io.stderr(`certkit: warning: ${warning}\n`);
  const config = loadConfig({
    env: io.env,
    file,
    missingFile: file ? undefined : relative(io.cwd, path).startsWith('..') ? path : relative(io.cwd, path),
  });
  await checkDnsCredentials(config, projectDir);
  return { config, projectDir, envFileProject: file?.values['COMPOSE_PROJECT_NAME'] };
}

/**
 * The DNS credentials file, where this process can see it: present, private, and outside the project folder. Inside
 * certkit's own containers a host path outside the project is not mounted (by design): the preflight checks it
 * in the certbot container instead.
 */
async function checkDnsCredentials(config: Config, projectDir: string): Promise<void> {
  if (config.challenge.type !== 'dns' || config.challenge.credentials === undefined) return;
  const path = config.challenge.credentials;
  const found = await stat(resolve(projectDir, path)).then(
    (info) => ({ isFile: info.isFile(), mode: info.mode, size: info.size }),
    () => undefined,
  );
  // Docker creates /.dockerenv in every container.
  if (!found && existsSync('/.dockerenv')) return;
  const problem = credentialsFileProblem(path, projectDir, found);
  if (problem) throw configError([problem]);
}

/** The project folder and its COMPOSE_PROJECT_NAME, for commands that act on the store and need no valid Config. */
export async function loadProjectEnv(options: GlobalOptions, io: Io): Promise<{ projectDir: string; envFileProject: string | undefined }> {
  const projectDir = resolve(io.cwd, options.projectDir ?? '.');
  const file = await readEnvFile(resolve(projectDir, options.envFile ?? join(projectDir, '.env')));
  return { projectDir, envFileProject: file?.values['COMPOSE_PROJECT_NAME'] };
}

/** Connects to Docker and works out which Compose project to act on. */
export async function connectStack(
  options: GlobalOptions,
  io: Io,
  projectDir: string,
  envFileProject: string | undefined,
): Promise<{ engine: Engine; project: string; self: ServiceContainer | undefined }> {
  const engine = io.createEngine(io.env);
  await engine.ping();
  const self = await findSelf(engine);
  if (self?.project && !options.projectName) return { engine, project: self.project, self };
  const resolved = resolveProjectName({ explicit: options.projectName, env: io.env, envFileValue: envFileProject, projectDir });
  if (!resolved) throw new CertkitError('USAGE', `cannot tell the Compose project name from ${projectDir}; pass --project-name`);
  return { engine, project: resolved.name, self };
}

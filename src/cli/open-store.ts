import { resolve } from 'node:path';
import type { Engine, ServiceContainer } from '../docker/engine.js';
import { CertkitError } from '../errors.js';
import { containerStoreSource, localStoreSource, type StoreSource } from '../store-io/store-source.js';
import { connectStack, loadProjectEnv, type GlobalOptions, type Io } from './context.js';

export interface Connected {
  source: StoreSource;
  /** The stack, with the nginx service to probe (CERTKIT_NGINX_SERVICE; nginx when unset). */
  stack?: { engine: Engine; project: string; self: ServiceContainer | undefined; service: string | undefined; projectDir: string };
}

/** The store from --store DIR, or from the certbot container of the Compose project. */
export async function openStore(globals: GlobalOptions, io: Io, storeDir: string | undefined): Promise<Connected> {
  if (storeDir) return { source: localStoreSource(resolve(io.cwd, storeDir)) };
  const { projectDir, envFileProject, nginxService } = await loadProjectEnv(globals, io);
  const stack = await connectStack(globals, io, projectDir, envFileProject);
  return { source: await containerStoreSource(stack.engine, stack.project), stack: { ...stack, service: nginxService, projectDir } };
}

export function requireRunningCertbot(connected: Connected, what: string): { engine: Engine; certbot: ServiceContainer } {
  const certbot = connected.source.certbot;
  if (!connected.stack || !certbot)
    throw new CertkitError('USAGE', `${what} works on the stack's certbot container; --store is for reading only`);
  if (!certbot.running)
    throw new CertkitError(
      'STACK_NOT_RUNNING',
      `${what} needs the certbot container running: \`docker compose --profile certbot up -d certbot\``,
    );
  return { engine: connected.stack.engine, certbot };
}

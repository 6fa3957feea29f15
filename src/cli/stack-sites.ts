import type { GlobalOptions, Io } from './context.js';
import type { Engine } from '../docker/engine.js';
import type { SiteSet } from '../sites/collect-sites.js';

/**
 * The sites of a connected stack, for commands that also work without a valid `.env` (status): a `.env` that does
 * not load leaves the sites unread, with the reason, instead of failing the command.
 */
export async function readStackSites(
  globals: GlobalOptions,
  io: Io,
  stack: { engine: Engine; project: string; projectDir: string },
): Promise<{ set: SiteSet } | { unread: string }> {
  const [{ loadProjectConfig }, { readSites }] = await Promise.all([import('./context.js'), import('../sites/read-sites.js')]);
  let config;
  try {
    ({ config } = await loadProjectConfig({ ...globals, projectDir: stack.projectDir }, io, new Set()));
  } catch (error) {
    return { unread: `the .env is refused: ${(error as Error).message.split('\n')[0] ?? ''}` };
  }
  const set = await readSites({
    config,
    envFile: globals.envFile ?? '.env',
    projectDir: stack.projectDir,
    engine: stack.engine,
    project: stack.project,
  });
  return { set };
}

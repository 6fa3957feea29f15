import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import type { Config } from '../../../src/config/config.js';
import { renderProject } from '../../../src/render/render-project.js';
import { runUpdate, type UpdateOptions, type UpdateResult } from '../../../src/update/update.js';
import type { FakeEngine } from './fake-engine.js';
import { makeConfig } from './make-config.js';

/** The fake clock's start. */
export const START = new Date('2026-11-22T12:00:00Z');

/** Runs `certkit update` against the fake engine with a clock that moves only when certkit sleeps. */
export async function fakeUpdate(
  engine: FakeEngine,
  options: {
    lockWaitMs?: number;
    reloadConfig?: () => Promise<Config>;
    whileWaiting?: () => void;
    /** The settings this run reads (default: none beyond the test's). */
    env?: Record<string, string>;
    /** The settings nginx was started (or last reloaded) with, when not those certkit-init rendered last. */
    runningEnv?: Record<string, string>;
    /** nginx runs a rendering from before stamps: it answers no stamp. */
    unstamped?: boolean;
    projectDir?: string;
    /** Options beyond `update`'s own (the daemon's: waiting, envFailureInResult). */
    update?: Partial<UpdateOptions>;
  } = {},
): Promise<{ result: UpdateResult; log: string[] }> {
  const projectDir = options.projectDir ?? (await mkdtemp(join(tmpdir(), 'certkit-update-')));
  onTestFinished(() => rm(projectDir, { recursive: true, force: true }));
  const config = makeConfig({ CERTKIT_PREFLIGHT: 'false', ...options.env });
  engine.projectDir = projectDir;
  if (options.runningEnv)
    engine.runningStamp = (await renderProject(makeConfig({ CERTKIT_PREFLIGHT: 'false', ...options.runningEnv }), projectDir)).configStamp;
  // The stack runs with the files certkit-init rendered at its start: this run finds nothing new to render.
  const rendered = await renderProject(config, projectDir);
  if (!options.unstamped) engine.runningStamp ??= rendered.configStamp;
  let clock = START.getTime();
  const log: string[] = [];
  const line = (level: string) => (message: string) => log.push(`${level}: ${message}`);
  const result = await runUpdate(
    {
      engine,
      config,
      project: engine.project,
      projectDir,
      log: { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') },
      now: () => new Date(clock),
      sleep: async (ms) => {
        clock += ms;
        options.whileWaiting?.();
      },
      reloadConfig: options.reloadConfig,
      probe: engine.probe,
      configProbe: engine.configProbe,
      self: undefined,
      lockWaitMs: options.lockWaitMs ?? 0,
    },
    { purpose: 'certkit update', ...options.update },
  );
  return { result, log };
}

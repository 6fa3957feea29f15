// The bed every single-node Swarm e2e file stands on (bench/swarm-bed.js): the engine made a swarm if it was not one,
// the stack deployed before the file's tests and removed after them, with the swarm left as it was found; and, where a
// file runs certkit's CLI, a project folder holding the files it reads (.env, sites.yaml).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import {
  deploySwarmBed,
  ensureSwarm,
  leaveSwarm,
  prepareSwarmBed,
  removeSwarmBed,
  type SwarmBed,
  type SwarmJoined,
} from '../../../bench/swarm-bed.js';
import type { Site } from '../../../src/sites/site.js';
import { renderSwarmNginx } from '../../../src/swarm/render-swarm-nginx.js';

type DeployOptions = Parameters<typeof deploySwarmBed>[1];

export interface SwarmSuite {
  /** The deployed bed (set once beforeAll has run). */
  readonly bed: SwarmBed;
  /** The project folder (set once beforeAll has run, when the file asked for one). */
  readonly project: string;
}

/**
 * Registers the file's beforeAll and afterAll. `deploy` adds to the bed's deploy options (services, the daemon's .env,
 * nginx's monitor), given the stand-in images; `project` names the files of a project folder by their text, given the
 * prepared bed (its stack name), and makes the folder.
 */
export function useSwarmBed(options: {
  site: Site;
  deploy?: (images: Record<string, string>) => Partial<DeployOptions>;
  project?: (bed: SwarmBed) => Record<string, string>;
}): SwarmSuite {
  let swarm: SwarmJoined | undefined;
  let bed: SwarmBed | undefined;
  let project: string | undefined;

  beforeAll(async () => {
    swarm = await ensureSwarm();
    const prepared = prepareSwarmBed({ site: options.site });
    bed = prepared;
    if (options.project) {
      const folder = await mkdtemp(join(tmpdir(), `${prepared.name}-project-`));
      project = folder;
      for (const [file, text] of Object.entries(options.project(prepared))) await writeFile(join(folder, file), text);
    }
    const images = inject('images');
    await deploySwarmBed(prepared, {
      images,
      legacy: inject('stack') === 'legacy',
      renderNginx: (sites) => renderSwarmNginx(sites),
      ...options.deploy?.(images),
    });
  }, 300_000);

  afterAll(async () => {
    if (bed) await removeSwarmBed(bed);
    if (project) await rm(project, { recursive: true, force: true });
    // Never leave a swarm this file did not make.
    await leaveSwarm(swarm);
  }, 180_000);

  return {
    get bed(): SwarmBed {
      if (!bed) throw new Error('the swarm bed is not deployed yet (used outside a test?)');
      return bed;
    },
    get project(): string {
      if (!project) throw new Error('no project folder: pass useSwarmBed a `project`');
      return project;
    },
  };
}

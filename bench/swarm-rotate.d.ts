import type { Logger } from '../src/log.js';
import type { RotateSiteResult } from '../src/swarm/rotate-site.js';
import type { SwarmBed } from './swarm-bed.js';

/** The bed's certificate rotated into every nginx task (certkit's built code, dist/). */
export function rotateBed(
  bed: SwarmBed,
  log: Logger,
  timeoutMs?: number,
  options?: {
    intervalMs?: number;
    /** The manager to drive (a nested engine's DOCKER_HOST); default: this process's Docker environment. */
    dockerHost?: string;
  },
): Promise<RotateSiteResult>;

import type { Engine } from '../docker/engine.js';
import { isCertkitError } from '../errors.js';
import { CONTAINER_PATHS } from '../stack/layout.js';
import { deployedSerials, type DeployedSerials } from '../store/deployed-copies.js';
import { readTarSnapshot } from '../store/read-tar-snapshot.js';

/**
 * The deploy folder of the certbot container, read through the archive API (the one way certkit reads deployed
 * serials); undefined when the container has no deploy folder.
 */
export async function readDeployedSerials(engine: Engine, certbotId: string): Promise<DeployedSerials | undefined> {
  let stream;
  try {
    stream = await engine.getArchive(certbotId, CONTAINER_PATHS.deploy);
  } catch (error) {
    if (isCertkitError(error, 'NOT_FOUND')) return undefined;
    throw error;
  }
  return deployedSerials(await readTarSnapshot(stream));
}

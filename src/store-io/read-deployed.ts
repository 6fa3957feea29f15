import type { Engine } from '../docker/engine.js';
import { isCertkitError } from '../errors.js';
import { CONTAINER_PATHS } from '../stack/layout.js';
import { deployedSerials, type DeployedSerials } from '../store/deployed-copies.js';
import { readTarSnapshot } from '../store/read-tar-snapshot.js';

/**
 * The deploy folder of the certbot container, read through the archive API (the one way certkit reads deployed
 * serials); undefined when the container has no deploy folder. With `certName`, that certificate's folder alone (a
 * site that just deployed, in a sweep of many: not every site's folder again).
 */
export async function readDeployedSerials(engine: Engine, certbotId: string, certName?: string): Promise<DeployedSerials | undefined> {
  let stream;
  try {
    stream = await engine.getArchive(certbotId, certName === undefined ? CONTAINER_PATHS.deploy : `${CONTAINER_PATHS.deploy}/${certName}`);
  } catch (error) {
    if (isCertkitError(error, 'NOT_FOUND')) return certName === undefined ? undefined : new Map();
    throw error;
  }
  // The one folder keeps its name in the archive (NAME/bundle.pem), as in the deploy folder's own.
  return deployedSerials(await readTarSnapshot(stream, certName === undefined ? {} : { stripFolder: false }));
}

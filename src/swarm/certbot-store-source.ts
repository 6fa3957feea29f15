import type { Engine } from '../docker/engine.js';
import { CONTAINER_PATHS } from '../stack/layout.js';
import type { StoreSource } from '../store-io/store-source.js';
import { certbotTaskHere } from './serving-plan.js';
import type { StackApi } from './swarm-api.js';

/**
 * certbot's store in the stack's certbot task on this node (the daemon runs beside it: compose.swarm.yaml), read
 * through the archive API as Compose's certbot container is: the daemon's certificate series, `sites` and `backup`.
 * `container` is the name the reads use (the Swarm socket proxy lets the certbot task's container through by name only).
 */
export async function swarmCertbotStore(api: StackApi, engine: Engine, stack: string): Promise<StoreSource & { container: string }> {
  const service = `${stack}_certbot`;
  const [self, certbot] = await Promise.all([api.swarmState(), api.inspectService(service)]);
  const task = certbotTaskHere(await api.listTasks(certbot.id), self.nodeId, service, stack);
  const container = task.containerName ?? task.containerId;
  return {
    container,
    describe: `the certbot task ${task.containerId.slice(0, 12)} of ${service}`,
    certbot: undefined,
    readSnapshot: async () => {
      const [{ readTarSnapshot }, archive] = await Promise.all([
        import('../store/read-tar-snapshot.js'),
        engine.getArchive(container, CONTAINER_PATHS.letsencrypt),
      ]);
      return readTarSnapshot(archive);
    },
    // No deploy folder on Swarm: the certificate reaches nginx as a secret.
    readDeployedSerials: async () => undefined,
  };
}

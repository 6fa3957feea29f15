import type { Engine, ServiceContainer } from '../docker/engine.js';
import { CertkitError } from '../errors.js';
import { CONTAINER_PATHS } from '../stack/layout.js';
import { readDirSnapshot } from './read-dir-snapshot.js';
import type { DeployedSerials } from '../store/deployed-copies.js';
import type { StoreSnapshot } from '../store/snapshot.js';

/**
 * Where certbot's store is read from: the certbot container's volume through the Docker archive API (works with the
 * container stopped, takes no certbot lock), or a local folder (`--store DIR`).
 */
export interface StoreSource {
  describe: string;
  readSnapshot(): Promise<StoreSnapshot>;
  /** Serial of each deployed certificate folder; undefined when there is no deploy folder to look at. */
  readDeployedSerials(): Promise<DeployedSerials | undefined>;
  /** The certbot container, when the store lives in one. */
  certbot: ServiceContainer | undefined;
}

export function localStoreSource(dir: string): StoreSource {
  return { describe: dir, readSnapshot: () => readDirSnapshot(dir), readDeployedSerials: async () => undefined, certbot: undefined };
}

export async function containerStoreSource(engine: Engine, project: string): Promise<StoreSource> {
  const [certbot] = await engine.listContainers({ project, service: 'certbot', all: true });
  if (!certbot) {
    throw new CertkitError(
      'STACK_NOT_RUNNING',
      `Compose project "${project}" has no certbot container: create it with \`docker compose --profile certbot up -d\`, or read a folder with --store DIR.`,
    );
  }
  return {
    describe: `the certbot container ${certbot.name}`,
    certbot,
    // tar-stream is loaded only here: `status --store DIR` never reads an archive.
    readSnapshot: async () => {
      const [{ readTarSnapshot }, archive] = await Promise.all([
        import('../store/read-tar-snapshot.js'),
        engine.getArchive(certbot.name, CONTAINER_PATHS.letsencrypt),
      ]);
      return readTarSnapshot(archive);
    },
    readDeployedSerials: async () => (await import('./read-deployed.js')).readDeployedSerials(engine, certbot.name),
  };
}

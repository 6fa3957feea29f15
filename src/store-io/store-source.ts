import type { Engine, ServiceContainer } from '../docker/engine.js';
import { CertkitError } from '../errors.js';
import { CONTAINER_PATHS } from '../stack/layout.js';
import { readCertificateInfo } from '../certs/read-certificate.js';
import { readDirSnapshot } from './read-dir-snapshot.js';
import { readTarSnapshot } from '../store/read-tar-snapshot.js';
import { readContent, type StoreSnapshot } from '../store/snapshot.js';

/**
 * Where certbot's store is read from: the certbot container's volume through the Docker archive API (works with the
 * container stopped, takes no certbot lock), or a local folder (`--store DIR`).
 */
export interface StoreSource {
  describe: string;
  readSnapshot(): Promise<StoreSnapshot>;
  /** Serial of each deployed certificate folder; undefined when there is no deploy folder to look at. */
  readDeployedSerials(): Promise<Map<string, string | undefined> | undefined>;
  /** The certbot container, when the store lives in one. */
  certbot: ServiceContainer | undefined;
}

export function localStoreSource(dir: string): StoreSource {
  return { describe: dir, readSnapshot: () => readDirSnapshot(dir), readDeployedSerials: async () => undefined, certbot: undefined };
}

export async function containerStoreSource(engine: Engine, project: string): Promise<StoreSource> {
  const [certbot] = await engine.listContainers({ project, service: 'certbot', all: true });
  if (!certbot) {
    throw new CertkitError('STACK_NOT_RUNNING', `Compose project "${project}" has no certbot container: create it with \`docker compose --profile certbot up -d\`, or read a folder with --store DIR.`);
  }
  return {
    describe: `the certbot container ${certbot.name}`,
    certbot,
    readSnapshot: async () => readTarSnapshot(await engine.getArchive(certbot.id, CONTAINER_PATHS.letsencrypt)),
    readDeployedSerials: async () => {
      const stream = await engine.getArchive(certbot.id, CONTAINER_PATHS.deploy).catch(() => undefined);
      if (!stream) return undefined;
      return deployedSerials(await readTarSnapshot(stream));
    },
  };
}

/** NAME/cert.pem in a deploy folder snapshot → serial (undefined when unreadable). */
export function deployedSerials(snapshot: StoreSnapshot): Map<string, string | undefined> {
  const serials = new Map<string, string | undefined>();
  for (const path of snapshot.keys()) {
    const match = /^([^/]+)\/cert\.pem$/.exec(path);
    if (!match?.[1]) continue;
    const pem = readContent(snapshot, path)?.toString('utf8');
    let serial: string | undefined;
    try {
      serial = pem ? readCertificateInfo(pem).serial : undefined;
    } catch {
      serial = undefined;
    }
    serials.set(match[1], serial);
  }
  return serials;
}

import type { Config } from '../config/config.js';
import type { Engine } from '../docker/engine.js';
import { collectSites } from '../sites/collect-sites.js';
import { envSite, siteDefaults } from '../sites/env-site.js';
import { CONTAINER_PATHS } from '../stack/layout.js';
import { collectStatus } from '../store-io/collect-status.js';
import type { StoreSource } from '../store-io/store-source.js';
import { readReplicaStatus } from '../swarm/read-replica-status.js';
import { certbotTaskHere } from '../swarm/serving-plan.js';
import { stackServiceDeclarations } from '../swarm/stack-sites.js';
import type { StackApi } from '../swarm/swarm-api.js';
import type { MonitorSources } from './start-monitoring.js';
import { withReplicaReadiness } from './swarm-readiness.js';

/**
 * On Swarm, what the monitor reads at each evaluation and scrape, from what runs (never from what certkit remembers
 * doing): the sites of .env and of the stack's services' deploy.labels as they are now, the replica report (the
 * nginx service's tasks, the secret versions each mounts, each replica's handshake), and the store of the certbot task
 * on this node, read through the archive API as `certkit status` reads Compose's.
 */
export function swarmSources(input: {
  api: StackApi;
  stack: string;
  /** The configuration the last check loaded (.env is read afresh at each check). */
  config: () => Config;
  envFile: string | undefined;
  now: () => Date;
}): (engine: Engine) => MonitorSources {
  const { api, stack } = input;
  // Site id → its certificate's name, from the sites of the last replica read.
  let certNames = new Map<string, string>();
  return (engine) => ({
    collectReplicas: async () => {
      const config = input.config();
      const services = await api.listStackServices(stack);
      const sites = collectSites(envSite(config, input.envFile), stackServiceDeclarations(stack, services), siteDefaults(config)).sites;
      certNames = new Map(sites.map((site) => [site.id, site.certName]));
      const nginx = services.find((service) => service.short === config.nginx.service);
      return readReplicaStatus({
        api,
        engine,
        stack,
        ...(nginx ? { service: nginx.name } : {}),
        sites: sites.map((site) => ({ id: site.id, names: site.names })),
      });
    },
    collect: async (replicas) => {
      const entries = await collectStatus({ source: await certbotStoreSource(api, engine, stack), now: input.now() });
      return withReplicaReadiness(entries, replicas, certNames);
    },
  });
}

/** certbot's store in the stack's certbot task on this node (the daemon runs beside it: compose.swarm.yaml). */
async function certbotStoreSource(api: StackApi, engine: Engine, stack: string): Promise<StoreSource> {
  const service = `${stack}_certbot`;
  const [self, certbot] = await Promise.all([api.swarmState(), api.inspectService(service)]);
  const task = certbotTaskHere(await api.listTasks(certbot.id), self.nodeId, service, stack);
  return {
    describe: `the certbot task ${task.containerId.slice(0, 12)} of ${service}`,
    certbot: undefined,
    readSnapshot: async () => {
      const [{ readTarSnapshot }, archive] = await Promise.all([
        import('../store/read-tar-snapshot.js'),
        // By name: the Swarm socket proxy lets through the certbot task's container by its name only.
        engine.getArchive(task.containerName ?? task.containerId, CONTAINER_PATHS.letsencrypt),
      ]);
      return readTarSnapshot(archive);
    },
    // No deploy folder on Swarm: the certificate reaches nginx as a secret.
    readDeployedSerials: async () => undefined,
  };
}

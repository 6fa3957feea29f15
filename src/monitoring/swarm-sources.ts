import type { Config } from '../config/config.js';
import type { Engine } from '../docker/engine.js';
import { collectSites } from '../sites/collect-sites.js';
import { envSite, siteDefaults } from '../sites/env-site.js';
import { collectStatus } from '../store-io/collect-status.js';
import { readReplicaStatus } from '../swarm/read-replica-status.js';
import { swarmCertbotStore } from '../swarm/certbot-store-source.js';
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
      const entries = await collectStatus({ source: await swarmCertbotStore(api, engine, stack), now: input.now() });
      return withReplicaReadiness(entries, replicas, certNames);
    },
  });
}

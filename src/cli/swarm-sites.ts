import type { Config, SwarmConfig } from '../config/config.js';
import type { SiteRow } from '../sites/site-rows.js';
import type { GlobalOptions, Io } from './context.js';

/**
 * `certkit sites` on the Swarm stack CERTKIT_SWARM_STACK names: the sites of `.env` and of the services'
 * deploy.labels (the sites file is refused, line by line: certkit's service never reads it), the certbot task's store,
 * and the secret versions the nginx service and its tasks mount (no handshake: `status` makes those).
 */
export async function readSwarmSiteRows(
  globals: GlobalOptions,
  io: Io,
  input: { config: Config & { swarm: SwarmConfig }; projectDir: string },
): Promise<SiteRow[]> {
  const [
    { createSwarmApi },
    { requireSwarmManager, stackService },
    { collectSites },
    { envSite, siteDefaults },
    { stackServiceDeclarations },
    { readSitesFile },
    { swarmCertbotStore },
    { collectStatus },
    { readReplicaStatus },
    { swarmSiteRows, sitesFileOnSwarm },
  ] = await Promise.all([
    import('../swarm/swarm-api.js'),
    import('../swarm/require-manager.js'),
    import('../sites/collect-sites.js'),
    import('../sites/env-site.js'),
    import('../swarm/stack-sites.js'),
    import('../sites/read-sites.js'),
    import('../swarm/certbot-store-source.js'),
    import('../store-io/collect-status.js'),
    import('../swarm/read-replica-status.js'),
    import('../swarm/swarm-site-rows.js'),
  ]);
  const { config, projectDir } = input;
  const stack = config.swarm.stack;
  const api = createSwarmApi(io.env);
  await requireSwarmManager(api, stack);
  const services = await api.listStackServices(stack);
  const nginx = stackService(services, config.nginx.service, stack);
  const set = collectSites(envSite(config, globals.envFile ?? '.env'), stackServiceDeclarations(stack, services), siteDefaults(config));
  set.refused.push(...sitesFileOnSwarm(await readSitesFile(projectDir, config.sites.file), stack));
  const engine = await io.createEngine(io.env);
  const [entries, report] = await Promise.all([
    swarmCertbotStore(api, engine, stack).then((source) => collectStatus({ source, now: io.now() })),
    readReplicaStatus({ api, stack, service: nginx.name, sites: set.sites.map((site) => ({ id: site.id, names: site.names })) }),
  ]);
  return swarmSiteRows(set, entries, report);
}

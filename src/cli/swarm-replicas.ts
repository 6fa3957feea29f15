import type { ReplicaReport } from '../swarm/replica-status.js';
import type { GlobalOptions, Io } from './context.js';

/**
 * The replica report of the Swarm stack CERTKIT_SWARM_STACK names, for `status` and `doctor`: the sites from .env,
 * the sites file and labels (a `.env` that does not load leaves them unread: the secrets' sites are still reported,
 * without a handshake, as no name is known to ask for).
 */
export async function readSwarmReplicas(
  globals: GlobalOptions,
  io: Io,
  stack: string,
  projectDir: string,
): Promise<{ report: ReplicaReport; sitesUnread: string | undefined }> {
  const [{ readStackSites }, { createSwarmApi }, { readReplicaStatus }] = await Promise.all([
    import('./stack-sites.js'),
    import('../swarm/swarm-api.js'),
    import('../swarm/read-replica-status.js'),
  ]);
  const engine = await io.createEngine(io.env);
  const sites = await readStackSites(globals, io, { engine, project: stack, projectDir });
  const report = await readReplicaStatus({
    api: createSwarmApi(io.env),
    engine,
    stack,
    sites: 'set' in sites ? sites.set.sites.map((site) => ({ id: site.id, names: site.names })) : [],
  });
  return { report, sitesUnread: 'unread' in sites ? sites.unread : undefined };
}

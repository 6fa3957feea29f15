import type { Engine } from '../docker/engine.js';
import type { StoreSource } from '../store-io/store-source.js';
import type { Io } from './context.js';

/**
 * The store of the Swarm stack CERTKIT_SWARM_STACK names, for `backup` and `restore`: the certbot task's
 * /etc/letsencrypt on this manager, reached by the task container's name through this node's engine (the certbot task
 * must run here, as for `certkit update`).
 */
export async function openSwarmStore(io: Io, stack: string): Promise<{ engine: Engine; certbot: { name: string }; source: StoreSource }> {
  const [{ createSwarmApi }, { requireSwarmManager }, { swarmCertbotStore }] = await Promise.all([
    import('../swarm/swarm-api.js'),
    import('../swarm/require-manager.js'),
    import('../swarm/certbot-store-source.js'),
  ]);
  const api = createSwarmApi(io.env);
  await requireSwarmManager(api, stack);
  const engine = await io.createEngine(io.env);
  const source = await swarmCertbotStore(api, engine, stack);
  return { engine, certbot: { name: source.container }, source };
}

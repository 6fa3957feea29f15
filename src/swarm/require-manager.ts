import { CertkitError } from '../errors.js';
import type { StackApi, StackService } from './swarm-api.js';

/** The engine certkit talks to must be a manager of an active swarm: what every Swarm command reads goes through it. */
export async function requireSwarmManager(api: Pick<StackApi, 'swarmState'>, stack: string): Promise<{ nodeId: string }> {
  const swarm = await api.swarmState();
  if (swarm.state !== 'active' || !swarm.manager) {
    throw new CertkitError(
      'DOCKER_FAILED',
      `CERTKIT_SWARM_STACK=${stack}, but this engine is ${swarm.state === 'active' ? 'a Swarm worker' : `in no swarm (${swarm.state})`}: run certkit on a manager of the swarm (\`docker node ls\` lists them), or empty CERTKIT_SWARM_STACK for Compose`,
    );
  }
  return { nodeId: swarm.nodeId };
}

/** A service of the stack by its short name (`nginx`, `certbot`), or a refusal naming those it has and the fix. */
export function stackService(services: readonly StackService[], short: string, stack: string): StackService {
  const found = services.find((service) => service.short === short);
  if (found) return found;
  throw new CertkitError(
    'STACK_NOT_RUNNING',
    `stack ${stack} has no ${short} service (${services.length === 0 ? 'no service carries its label: is it deployed under this name?' : `it has ${services.map((service) => service.short).join(', ')}`}); deploy it with \`docker stack deploy -c compose.swarm.yaml ${stack}\`, or set CERTKIT_SWARM_STACK to the name it was deployed under`,
  );
}

import { CertkitError } from '../errors.js';

/** The commands that act on Compose containers only, and what a Swarm stack's user runs instead (docs/swarm.md). */
const ON_SWARM_INSTEAD = {
  import: (stack: string) =>
    `take the store over on a Compose stack first, then move it with \`certkit backup\` there and \`certkit restore\` here (restore works on Swarm and rotates it in at the next \`certkit update\`); the certbot task of ${stack} is not written by import`,
  plugins: (stack: string) =>
    `ask the certbot task on this manager: \`docker exec "$(docker ps -q -f label=com.docker.swarm.service.name=${stack}_certbot)" certbot plugins\``,
  health: (stack: string) =>
    `the certkit task runs it as its healthcheck; from a manager, \`docker service ps ${stack}_certkit\` shows its state, or ask a published monitor port with \`certkit health --url http://127.0.0.1:PORT/healthz\``,
} as const;

export type ComposeOnlyCommand = keyof typeof ON_SWARM_INSTEAD;

/**
 * The error for a Compose-only command run with CERTKIT_SWARM_STACK set: it would look for Compose containers the Swarm
 * stack does not have and report a stack that is not running, or act on another one.
 */
export function composeOnlyOnSwarm(command: ComposeOnlyCommand, stack: string): CertkitError {
  return new CertkitError(
    'USAGE',
    `certkit ${command} works on a Compose stack only, and CERTKIT_SWARM_STACK=${stack} says this is a Swarm stack: ${ON_SWARM_INSTEAD[command](stack)}. Unset CERTKIT_SWARM_STACK to act on a Compose stack.`,
  );
}

import { describe, expect, it } from 'vitest';
import { composeOnlyOnSwarm } from '../../../src/cli/compose-only.js';
import { exitCodeFor } from '../../../src/cli/exit-codes.js';

describe('composeOnlyOnSwarm: a Compose-only command run with CERTKIT_SWARM_STACK set', () => {
  it.each([
    ['import', /`certkit backup` there and `certkit restore` here/],
    ['plugins', /docker exec "\$\(docker ps -q -f label=com\.docker\.swarm\.service\.name=shop_certbot\)" certbot plugins/],
    ['health', /docker service ps shop_certkit`.*certkit health --url/],
  ] as const)('%s: a usage error naming the command, the variable, its value and what to run instead', (command, instead) => {
    const error = composeOnlyOnSwarm(command, 'shop');
    expect(exitCodeFor(error.code)).toBe(2);
    expect(error.message).toMatch(new RegExp(`^certkit ${command} works on a Compose stack only, and CERTKIT_SWARM_STACK=shop says`));
    expect(error.message).toMatch(instead);
    expect(error.message).toMatch(/Unset CERTKIT_SWARM_STACK to act on a Compose stack\.$/);
  });
});

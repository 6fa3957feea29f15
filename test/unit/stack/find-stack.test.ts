import { describe, expect, it } from 'vitest';
import type { Engine, ServiceContainer } from '../../../src/docker/engine.js';
import { hostname } from 'node:os';
import { findSelf, findStack } from '../../../src/stack/find-stack.js';

function container(service: string): ServiceContainer {
  return {
    id: `id-${service}`,
    name: `shop-${service}-1`,
    project: 'shop',
    service,
    running: true,
    state: 'running',
    networks: {},
    ports: [],
    labels: {},
  };
}

/** Only the call findStack makes: the project's containers. */
function engineWith(services: string[]): Engine {
  return { listContainers: async () => services.map(container) } as unknown as Engine;
}

describe('findStack', () => {
  it("finds an app's nginx under the name CERTKIT_NGINX_SERVICE gives (own mode, a renamed service)", async () => {
    const stack = await findStack(engineWith(['gateway', 'certbot', 'certkit']), 'shop', 'gateway');
    expect(stack.nginx.id).toBe('id-gateway');
    expect(stack.certbot.id).toBe('id-certbot');
  });

  it('names the service it looked for when it is not there', async () => {
    await expect(findStack(engineWith(['gateway', 'certbot']), 'shop', 'nginx')).rejects.toThrow(/no nginx container/);
  });
});

describe('findSelf', () => {
  const inspected: string[] = [];
  const engine = {
    inspectContainer: (id: string) => {
      inspected.push(id);
      return Promise.resolve(container('certkit'));
    },
  } as unknown as Engine;

  it('asks nothing unless the compose file says certkit runs in its container (CI runners have /.dockerenv too)', async () => {
    expect(await findSelf(engine, {})).toBeUndefined();
    expect(inspected).toEqual([]);
  });

  it('finds its container by hostname when CERTKIT_CONTAINER is set', async () => {
    expect((await findSelf(engine, { CERTKIT_CONTAINER: 'certkit' }))?.service).toBe('certkit');
    expect(inspected).toEqual([hostname()]);
  });
});

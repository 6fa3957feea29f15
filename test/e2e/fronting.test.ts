import { cp, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REPO, TestStack } from './support/stack.js';
import { httpsGet, probeCertificate } from './support/tls.js';
import { waitUntil } from './support/wait.js';

const dockerMissing = inject('dockerMissing');

interface Echo {
  service: string;
  path: string;
  headers: Record<string, string | null>;
}

// Fronting: an app with no nginx of its own (two services), joined to certkit's stack as a second Compose file;
// certkit's nginx takes 80/443 and routes paths to the services by CERTKIT_ROUTES. One stack, in order.
describe.skipIf(dockerMissing !== '')('fronting: certkit nginx proxies several routes to the app services over HTTPS', () => {
  let stack: TestStack;
  let name: string;

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const response = await httpsGet(stack.httpsPort, name, path, headers);
    expect(response.status, response.body).toBe(200);
    return JSON.parse(response.body) as Echo;
  };

  beforeAll(async () => {
    stack = await TestStack.create({ env: { CERTKIT_ROUTES: '/api=api:5001,/=web:3000' } });
    name = stack.names[0] as string;
    await mkdir(join(stack.dir, 'app'));
    await cp(join(REPO, 'test/e2e/fixtures/fronting/echo-service.py'), join(stack.dir, 'app/echo-service.py'));
    await cp(join(REPO, 'test/e2e/fixtures/fronting/compose.app.yaml'), join(stack.dir, 'compose.app.yaml'));
    stack.composeFiles.push('compose.app.yaml');
    await stack.up();
    await waitUntil('HTTPS to be served', async () => probeCertificate(stack.httpsPort, name).catch(() => undefined), {
      timeoutMs: 90_000,
      intervalMs: 1_000,
    });
  });
  afterAll(async () => {
    if (stack) await stack.destroy();
  });

  it('sends /api and everything under it to api, the rest to web, with the path and query unchanged', async () => {
    expect(await get('/api/v1/ping?x=1')).toMatchObject({ service: 'api', path: '/api/v1/ping?x=1' });
    expect(await get('/api')).toMatchObject({ service: 'api', path: '/api' });
    expect(await get('/console/apps?page=2')).toMatchObject({ service: 'web', path: '/console/apps?page=2' });
    expect(await get('/')).toMatchObject({ service: 'web', path: '/' });
  });

  it('passes the host, the https scheme and a websocket upgrade on to the service', async () => {
    const echo = await get('/api/socket', { Upgrade: 'websocket', Connection: 'Upgrade' });
    expect(echo.headers).toEqual({ Host: name, Upgrade: 'websocket', Connection: 'upgrade', 'X-Forwarded-Proto': 'https' });
    expect((await get('/')).headers).toMatchObject({ Upgrade: null, Connection: 'close' });
  });
});

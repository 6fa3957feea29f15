import { createServer, type IncomingMessage } from 'node:http';
import { answerExecUpgrade } from '../support/exec-upgrade.js';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  allowedBy,
  bodyFits,
  buildAllowlist,
  EXEC_BODY_ESCAPES,
  EXEC_BODY_LIMIT,
  type ApiRequest,
} from '../../../src/docker/api-allowlist.js';
import { createDockerEngine } from '../../../src/docker/docker-engine.js';
import type { Engine } from '../../../src/docker/engine.js';
import { dockerProxyScope } from '../../../src/render/render-docker-proxy.js';
import { HOST_LABEL } from '../../../src/sites/site-labels.js';
import { ARI_CACHE_DIR, CONTAINER_PATHS } from '../../../src/stack/layout.js';
import { SWAP_SCRIPT } from '../../../src/store-io/restore-swap.js';
import { LEASE_SCRIPT } from '../../../src/update/run-lock.js';

const PROJECT = 'ck1a2b';
const NGINX = 'nginx';
const EXEC_ID = 'a'.repeat(64);

/**
 * Each Engine method, called the way certkit's code calls it (this stack's services, the store's folders, the
 * largest scripts it runs). Typed over every method of Engine: a method added to the interface does not compile until
 * it is exercised here, and then its requests must pass the allowlist below.
 */
const EXERCISE: { [Method in Exclude<keyof Engine, 'endpoint'>]: (engine: Engine) => Promise<unknown> } = {
  ping: (engine) => engine.ping(),
  listContainers: async (engine) => {
    for (const service of ['certbot', NGINX, 'certkit', 'pebble']) {
      const found = await engine.listContainers({ project: PROJECT, service, all: true });
      expect(found.map((container) => container.name)).toEqual([`${PROJECT}-${service}-1`]);
      await engine.listContainers({ project: PROJECT, service });
    }
  },
  inspectContainer: (engine) => engine.inspectContainer(`${PROJECT}_certbot_1`),
  listLabelled: (engine) => engine.listLabelled(HOST_LABEL),
  watchContainerEvents: async (engine) => {
    const events: string[] = [];
    await engine.watchContainerEvents(HOST_LABEL, (event) => events.push(event.action), new AbortController().signal);
    expect(events).toEqual(['start']);
  },
  exec: async (engine) => {
    await engine.exec(`${PROJECT}-certbot-1`, ['python3', '-c', SWAP_SCRIPT, 'discard', CONTAINER_PATHS.letsencrypt, 'x']);
    await engine.exec(`${PROJECT}-certbot-1`, ['/bin/sh', '/etc/certkit/certbot/deploy-hook.sh'], { env: ['RENEWED_LINEAGE=/x "y"'] });
    await engine.exec(`${PROJECT}-${NGINX}-1`, ['nginx', '-s', 'reload']);
  },
  execHeld: async (engine) => {
    const held = await engine.execHeld(`${PROJECT}-certbot-1`, ['sh', '-c', LEASE_SCRIPT, 'sh', 'holder', '/tmp/certkit.lock', 'token']);
    await held.close();
  },
  signal: (engine) => engine.signal(`${PROJECT}-${NGINX}-1`, 'SIGHUP'),
  getArchive: async (engine) => {
    // The whole store, the deploy folder, and one site's deployed copy (a site that just deployed reads its own back).
    for (const path of [CONTAINER_PATHS.letsencrypt, CONTAINER_PATHS.deploy, `${CONTAINER_PATHS.deploy}/shop-1.example`]) {
      const stream = await engine.getArchive(`${PROJECT}-certbot-1`, path);
      for await (const chunk of stream) void chunk;
    }
  },
  putArchive: async (engine) => {
    const tar = await emptyTar();
    await engine.putArchive(`${PROJECT}-certbot-1`, CONTAINER_PATHS.letsencrypt, tar);
    await engine.putArchive(`${PROJECT}-certbot-1`, CONTAINER_PATHS.letsencrypt, Readable.from([tar]));
    // The CA's renewal windows kept between sweeps (src/certbot/ari-cache.ts).
    await engine.putArchive(`${PROJECT}-certbot-1`, ARI_CACHE_DIR, tar);
  },
};

describe('the Docker API allowlist (the socket proxy renders it; src/docker/api-allowlist.ts)', () => {
  const rules = buildAllowlist(dockerProxyScope(PROJECT, NGINX));

  for (const [method, exercise] of Object.entries(EXERCISE)) {
    it(`Engine.${method}: every request it sends is in the allowlist`, async () => {
      const { endpoint, requests } = await standInEngine();
      await exercise(createDockerEngine({ DOCKER_HOST: endpoint }));
      const own = requests.filter((request) => !/\/_ping$/.test(request.url) || method === 'ping');
      expect(own.length).toBeGreaterThan(0);
      for (const request of requests) {
        expect(request.url, `${request.method} ${request.url} carries the API version`).toMatch(/^\/v1\.\d+\//);
        expect(allowedBy(rules, request), `${request.method} ${request.url} ${request.body ?? ''}`.slice(0, 400)).toBeDefined();
        expect(bodyFits(request.body), `${request.url}: a body the proxy can match (size, escapes)`).toBe(true);
      }
    });
  }

  it('refuses what certkit never asks for', () => {
    const refused: ApiRequest[] = [
      { method: 'POST', url: '/v1.41/containers/create' },
      {
        method: 'POST',
        url: `/v1.41/containers/${PROJECT}-db-1/exec`,
        body: '{"Cmd":["sh"],"AttachStdin":false,"AttachStdout":true,"AttachStderr":true}',
      },
      {
        method: 'POST',
        url: `/v1.41/containers/${PROJECT}-certbot-1/exec`,
        body: '{"Cmd":["sh"],"Privileged":true,"AttachStdin":false,"AttachStdout":true,"AttachStderr":true}',
      },
      {
        method: 'POST',
        url: `/v1.41/containers/${PROJECT}-certbot-1/exec`,
        body: '{"Cmd":["sh"],"AttachStdin":false,"AttachStdout":true,"AttachStderr":true,"User":"0"}',
      },
      {
        method: 'POST',
        url: `/v1.41/containers/${PROJECT}-certbot-1/exec`,
        body: `{"Cmd":["sh","${'x'.repeat(EXEC_BODY_LIMIT)}"],"AttachStdin":false,"AttachStdout":true,"AttachStderr":true}`,
      },
      {
        method: 'POST',
        url: `/v1.41/containers/${PROJECT}-certbot-1/exec`,
        body: `{"Cmd":["sh","${'\\n'.repeat(EXEC_BODY_ESCAPES + 1)}"],"AttachStdin":false,"AttachStdout":true,"AttachStderr":true}`,
      },
      { method: 'GET', url: `/v1.41/containers/other-nginx-1/json` },
      { method: 'GET', url: `/v1.41/containers/${PROJECT}-db-1/json` },
      { method: 'GET', url: `/v1.41/containers/${'b'.repeat(64)}/json` },
      { method: 'POST', url: `/v1.41/containers/${PROJECT}-certbot-1/kill?signal=SIGHUP` },
      { method: 'POST', url: `/v1.41/containers/${PROJECT}-nginx-1/kill?signal=SIGKILL` },
      { method: 'POST', url: `/v1.41/containers/${PROJECT}-nginx-1/start` },
      { method: 'DELETE', url: `/v1.41/containers/${PROJECT}-nginx-1` },
      { method: 'GET', url: '/v1.41/containers/json?all=true' },
      { method: 'GET', url: '/v1.41/containers/json?all=true&filters=%7B%22label%22%3A%5B%22com.docker.compose.project%3Dother%22%5D%7D' },
      { method: 'GET', url: '/v1.41/events' },
      { method: 'GET', url: '/v1.41/images/json' },
      { method: 'POST', url: '/v1.41/images/create?fromImage=alpine' },
      { method: 'GET', url: '/v1.41/volumes' },
      { method: 'GET', url: `/v1.41/containers/${PROJECT}-certbot-1/archive?path=%2Fetc` },
      { method: 'PUT', url: `/v1.41/containers/${PROJECT}-certbot-1/archive?path=%2Fetc%2Fcertkit%2Fdeploy` },
      { method: 'GET', url: `/v1.41/containers/${PROJECT}-certbot-1/archive?path=%2Fetc%2Fcertkit%2Fdeploy%2F..` },
      { method: 'GET', url: `/v1.41/containers/${PROJECT}-certbot-1/archive?path=%2Fetc%2Fcertkit%2Fdeploy%2F..%2F..%2Fetc` },
      { method: 'GET', url: `/v1.41/containers/${PROJECT}-certbot-1/archive?path=%2Fetc%2Fcertkit%2Fdeploy%2Fa%2Fb` },
      { method: 'GET', url: `/v1.41/containers/${PROJECT}-nginx-1/archive?path=%2Fetc%2Fcertkit%2Fdeploy%2Fa` },
      { method: 'PUT', url: `/v1.41/containers/${PROJECT}-certbot-1/archive?path=%2Ftmp%2Fx` },
      { method: 'GET', url: `/v1.41/containers/${PROJECT}-certbot-1/../${PROJECT}-db-1/json` },
      { method: 'GET', url: `/v1.41/containers/${PROJECT}-certbot-1%2F..%2Fx/json` },
      { method: 'GET', url: '/containers/json' },
      { method: 'GET', url: '/_ping' },
      { method: 'PATCH', url: '/v1.41/_ping' },
    ];
    for (const request of refused) expect(allowedBy(rules, request), `${request.method} ${request.url}`).toBeUndefined();
  });

  it('names containers as both Compose versions do, and no container of another project', () => {
    const inspect = (name: string) => allowedBy(rules, { method: 'GET', url: `/v1.41/containers/${name}/json` });
    expect(inspect(`${PROJECT}-certbot-1`)).toBeDefined();
    expect(inspect(`${PROJECT}_certbot_2`)).toBeDefined();
    expect(inspect(`${PROJECT}-certkit-run-0123456789ab`)).toBeDefined();
    for (const name of [`x${PROJECT}-certbot-1`, `${PROJECT}-certbot-1x`, `${PROJECT}-certbot-run-1`, `${PROJECT}xcertbot-1`])
      expect(inspect(name), name).toBeUndefined();
  });
});

interface Recorded extends ApiRequest {
  body: string;
}

/** dockerd's HTTP API on 127.0.0.1, answering what certkit asks of it, recording every request it gets. */
async function standInEngine(): Promise<{ endpoint: string; requests: Recorded[] }> {
  const requests: Recorded[] = [];
  const readBody = async (request: IncomingMessage): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const server = createServer((request, response) => {
    void (async () => {
      const url = request.url ?? '';
      const body = request.method === 'PUT' ? '' : await readBody(request);
      if (request.method === 'PUT') request.resume();
      requests.push({ method: request.method ?? '', url, body });
      const json = (status: number, value: unknown): void => {
        response.writeHead(status, { 'Content-Type': 'application/json', 'API-Version': '1.41' });
        response.end(JSON.stringify(value));
      };
      const path = url.split('?')[0] ?? '';
      if (path.endsWith('/_ping')) return json(200, 'OK');
      if (path.endsWith('/containers/json')) {
        const filters = JSON.parse(new URL(url, 'http://x').searchParams.get('filters') ?? '{}') as { label?: string[] };
        const service = filters.label?.find((label) => label.startsWith('com.docker.compose.service='))?.split('=')[1] ?? 'app';
        return json(200, [summary(service)]);
      }
      const inspect = /\/containers\/([^/]+)\/json$/.exec(path);
      if (inspect) return json(200, inspected(decodeURIComponent(inspect[1] ?? '')));
      if (path.endsWith('/exec') && request.method === 'POST') return json(201, { Id: EXEC_ID });
      if (path.endsWith(`/exec/${EXEC_ID}/json`)) return json(200, { Running: false, ExitCode: 0 });
      if (path.endsWith('/kill')) return json(204, '');
      if (path.endsWith('/archive') && request.method === 'GET') {
        response.writeHead(200, { 'Content-Type': 'application/x-tar' });
        return response.end(await emptyTar());
      }
      if (path.endsWith('/archive')) return json(200, '');
      if (path.endsWith('/events')) {
        response.writeHead(200, { 'Content-Type': 'application/json' });
        return response.end(
          `${JSON.stringify({ Type: 'container', Action: 'start', Actor: { ID: 'c'.repeat(64), Attributes: { name: 'app' } } })}\n`,
        );
      }
      return json(500, { message: `the stand-in has no answer for ${request.method ?? ''} ${url}` });
    })();
  });
  // An attached exec: the engine switches the connection to a raw stream, writes the output framed, and closes it.
  server.on('upgrade', answerExecUpgrade(requests));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `tcp://127.0.0.1:${port}`, requests };
}

function summary(service: string): unknown {
  return {
    Id: `${service}`.padEnd(64, '0'),
    Names: [`/${PROJECT}-${service}-1`],
    State: 'running',
    Labels: { 'com.docker.compose.project': PROJECT, 'com.docker.compose.service': service },
  };
}

function inspected(name: string): unknown {
  const service = name.split(/[-_]/)[1] ?? '';
  return {
    Id: service.padEnd(64, '0'),
    Name: `/${name}`,
    State: { Status: 'running', Running: true, StartedAt: '2026-12-03T00:00:00Z' },
    Config: { Labels: { 'com.docker.compose.project': PROJECT, 'com.docker.compose.service': service } },
  };
}

async function emptyTar(): Promise<Buffer> {
  const tar = pack();
  tar.entry({ name: 'letsencrypt/', type: 'directory', mode: 0o755 });
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of tar) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

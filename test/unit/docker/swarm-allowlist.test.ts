import { createServer } from 'node:http';
import { answerExecUpgrade } from '../support/exec-upgrade.js';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { allowedBy, type ApiRequest } from '../../../src/docker/api-allowlist.js';
import { createDockerEngine } from '../../../src/docker/docker-engine.js';
import { buildSwarmAllowlist } from '../../../src/docker/swarm-allowlist.js';
import { swarmDockerProxyScope } from '../../../src/render/render-docker-proxy.js';
import { createSwarmApi, type StackApi } from '../../../src/swarm/swarm-api.js';
import { updatedSpec, type RawTask } from '../../../src/swarm/map-swarm.js';
import { secretVersionName } from '../../../src/swarm/secret-name.js';
import { nginxConfName } from '../../../src/swarm/serving-plan.js';
import { LEASE_SCRIPT } from '../../../src/update/run-lock.js';

const STACK = 'cks1a2b';
const id = (char: string): string => char.repeat(25);
const SERVICE_IDS = { nginx: id('a'), certbot: id('b') };
const NODE = id('n');
const TASK = id('t');
const CONTAINER = 'c'.repeat(64);
const EXEC_ID = 'e'.repeat(64);
const SECRET = secretVersionName(STACK, 'web', 'certificate').name;
const CONFIG = nginxConfName(STACK, 'nginx.conf');
const OTHER_SECRET = secretVersionName(STACK, 'web', 'older certificate').name;

/**
 * Each StackApi method, called as certkit's Swarm code calls it: the stack's services listed first (as every run does),
 * then by the ids Swarm handed back. Typed over every method: a method added to the interface does not compile until
 * it is exercised here, and its requests must then pass the Swarm allowlist.
 */
const EXERCISE: { [Method in keyof StackApi]: (api: StackApi) => Promise<unknown> } = {
  swarmState: async (api) => expect(await api.swarmState()).toEqual({ state: 'active', manager: true, nodeId: NODE }),
  listStackServices: (api) => api.listStackServices(STACK),
  inspectService: async (api) => {
    await api.listStackServices(STACK);
    await api.inspectService(SERVICE_IDS.nginx);
    await api.inspectService(`${STACK}_certbot`);
  },
  updateService: async (api) => {
    await api.listStackServices(STACK);
    const service = await api.inspectService(SERVICE_IDS.nginx);
    await api.updateService(service, { secrets: service.secrets, configs: service.configs ?? [], monitorMs: 10_000 });
  },
  listTasks: async (api) => {
    await api.listStackServices(STACK);
    for (const service of Object.values(SERVICE_IDS)) await api.listTasks(service);
  },
  containerHealth: async (api) => {
    await api.listStackServices(STACK);
    const [task] = await api.listTasks(SERVICE_IDS.nginx);
    expect(task?.containerName).toBe(`${STACK}_nginx.1.${TASK}`);
    expect(await api.containerHealth(task?.containerId ?? '')).toBe('healthy');
  },
  nodeNames: (api) => api.nodeNames(),
  referencedSecrets: async (api) => {
    await api.listStackServices(STACK);
    await api.referencedSecrets();
  },
  createSecret: (api) =>
    api.createSecret({
      name: SECRET,
      data: Buffer.from('-----BEGIN PRIVATE KEY-----\nx\n'),
      labels: { 'certkit.stack': STACK, 'certkit.site': 'web', 'certkit.serial': '0a1b', 'certkit.not-after': new Date(0).toISOString() },
    }),
  listSecrets: async (api) => {
    await api.listSecrets([`certkit.stack=${STACK}`]);
    await api.listSecrets([`certkit.stack=${STACK}`, 'certkit.site=web']);
  },
  removeSecret: async (api) => {
    const [version] = await api.listSecrets([`certkit.stack=${STACK}`, 'certkit.site=web']);
    await api.removeSecret(version?.id ?? '');
  },
  listConfigs: (api) => api.listConfigs([`certkit.stack=${STACK}`, 'certkit.config=nginx-conf']),
  readConfig: async (api) => {
    await api.listStackServices(STACK);
    const service = await api.inspectService(SERVICE_IDS.nginx);
    await api.readConfig(service.configs?.[0]?.configId ?? '');
    // The stack file's nginx.conf of a first deploy (compose.swarm.yaml names it), before certkit's first version.
    const deployed = await api.inspectService(`${STACK}_certbot`);
    await api.readConfig(deployed.configs?.[2]?.configId ?? '');
  },
  createConfig: (api) =>
    api.createConfig({
      name: CONFIG,
      data: Buffer.from('events {}\n'),
      labels: { 'certkit.stack': STACK, 'certkit.config': 'nginx-conf' },
    }),
  removeConfig: async (api) => {
    const [version] = await api.listConfigs([`certkit.stack=${STACK}`, 'certkit.config=nginx-conf']);
    await api.removeConfig(version?.id ?? '');
  },
  watchServiceEvents: async (api) => {
    const seen: string[] = [];
    await api.watchServiceEvents(STACK, (event) => seen.push(event.name), new AbortController().signal);
    expect(seen).toEqual([`${STACK}_nginx`]);
  },
};

describe("the Swarm allowlist (the stack's socket proxy renders it; src/docker/swarm-allowlist.ts)", () => {
  const rules = buildSwarmAllowlist(swarmDockerProxyScope(STACK, 'nginx'));
  const check = (requests: Recorded[]) => {
    for (const request of requests) {
      expect(request.url, `${request.method} ${request.url} carries the API version`).toMatch(/^\/v1\.\d+\//);
      expect(allowedBy(rules, request), `${request.method} ${request.url} ${request.body}`.slice(0, 600)).toBeDefined();
    }
  };

  for (const [method, exercise] of Object.entries(EXERCISE)) {
    it(`StackApi.${method}: every request it sends is in the allowlist, naming what it touches`, async () => {
      const { endpoint, requests } = await standInManager();
      await exercise(createSwarmApi({ DOCKER_HOST: endpoint }));
      expect(requests.filter((request) => !request.url.endsWith('/_ping')).length).toBeGreaterThan(0);
      check(requests);
      // No call gives Swarm's id of a service, secret, config or container in its path.
      for (const request of requests) expect(request.url.split('?')[0], request.url).not.toMatch(/\/(?:[a-z0-9]{25}|c{64})(?:\/|$)/);
      // Nothing of a secret's data in a URL (which the proxy logs).
      for (const request of requests) expect(request.url).not.toMatch(/Data=/);
    });
  }

  it("the Engine's calls into the certbot task's container (exec, the run lock, its inspect, the store's archive) pass, by its name", async () => {
    const { endpoint, requests } = await standInManager();
    const engine = createDockerEngine({ DOCKER_HOST: endpoint });
    const certbot = `${STACK}_certbot.1.${TASK}`;
    await engine.inspectContainer(certbot);
    await engine.exec(certbot, ['certbot', '--version']);
    await engine.exec(certbot, ['python3', '-c', 'print(1)'], { env: ['A=1'] });
    const held = await engine.execHeld(certbot, ['sh', '-c', LEASE_SCRIPT, 'sh', 'holder', '/tmp/certkit.lock', 'token']);
    await held.close();
    // The Swarm daemon's certificate series read the store (src/monitoring/swarm-sources.ts).
    await engine.getArchive(certbot, '/etc/letsencrypt');
    expect(requests.some((request) => request.url.endsWith('/exec'))).toBe(true);
    expect(requests.some((request) => request.url.includes('/archive?'))).toBe(true);
    check(requests);
  });

  it('refuses what certkit never asks for on a Swarm manager', () => {
    const v = '/v1.47';
    const service = (extra: Record<string, unknown>): string =>
      JSON.stringify({ Name: `${STACK}_nginx`, TaskTemplate: { ContainerSpec: { Image: 'nginx', ...extra } } });
    const goodSpec = service({});
    expect(allowedBy(rules, { method: 'POST', url: `${v}/services/${STACK}_nginx/update?version=3`, body: goodSpec })).toBeDefined();
    const refused: ApiRequest[] = [
      // Another service, another stack's, or by id; creating or removing services.
      { method: 'POST', url: `${v}/services/${STACK}_app/update?version=3`, body: goodSpec },
      { method: 'POST', url: `${v}/services/other_nginx/update?version=3`, body: goodSpec },
      { method: 'POST', url: `${v}/services/${SERVICE_IDS.nginx}/update?version=3`, body: goodSpec },
      { method: 'GET', url: `${v}/services/${STACK}_app` },
      { method: 'POST', url: `${v}/services/create`, body: goodSpec },
      { method: 'DELETE', url: `${v}/services/${STACK}_nginx` },
      { method: 'GET', url: `${v}/services` },
      { method: 'GET', url: `${v}/services?filters=%7B%22label%22%3A%5B%22com.docker.stack.namespace%3Dother%22%5D%7D` },
      // nginx's spec widened: the host's files, the socket, another app's volume or secret, capabilities.
      ...[
        { Mounts: [{ Type: 'bind', Source: '/var/run/docker.sock', Target: '/s' }] },
        { Mounts: [{ type: 'BIND', Source: '/', Target: '/h' }] },
        { Mounts: [{ Type: 'volume', Source: 'db_data', Target: '/d' }] },
        {
          Mounts: [
            {
              Type: 'volume',
              Source: `${STACK}_x`,
              Target: '/d',
              VolumeOptions: { DriverConfig: { Name: 'local', Options: { o: 'bind', device: '/' } } },
            },
          ],
        },
        { CapabilityAdd: ['CAP_SYS_ADMIN'] },
        { Secrets: [{ SecretID: 'x', SecretName: 'db_password', File: { Name: 'p' } }] },
      ].map((extra): ApiRequest => ({ method: 'POST', url: `${v}/services/${STACK}_nginx/update?version=3`, body: service(extra) })),
      {
        method: 'POST',
        url: `${v}/services/${STACK}_nginx/update?version=3`,
        body: goodSpec.replace('"ContainerSpec":{', '"ContainerSpec":{"Mounts":[{"Typ\\u0065":"bind","Source":"/","Target":"/h"}],'),
      },
      { method: 'POST', url: `${v}/services/${STACK}_nginx/update?version=3`, body: `${goodSpec}${' '.repeat(300 * 1024)}` },
      // Secrets and configs outside the stack's versions, or by id; another's data read.
      {
        method: 'POST',
        url: `${v}/secrets/create`,
        body: `{"Name":"other-web-0123456789ab","Labels":{"certkit.stack":"${STACK}"},"Data":""}`,
      },
      { method: 'POST', url: `${v}/secrets/create`, body: `{"Name":"${SECRET}","Labels":{"certkit.stack":"other"},"Data":""}` },
      { method: 'POST', url: `${v}/secrets/create`, body: `{"Name":"${SECRET}","Labels":{"certkit.stack":"${STACK}","x":"y"},"Data":""}` },
      {
        method: 'POST',
        url: `${v}/secrets/create`,
        body: `{"Name":"${SECRET}","Labels":{"certkit.stack":"${STACK}"},"Data":"","Driver":{"Name":"x"}}`,
      },
      { method: 'DELETE', url: `${v}/secrets/db_password` },
      { method: 'DELETE', url: `${v}/secrets/${id('s')}` },
      { method: 'DELETE', url: `${v}/configs/certkit-nginx-entrypoint-1` },
      { method: 'GET', url: `${v}/secrets` },
      { method: 'GET', url: `${v}/secrets/${OTHER_SECRET}` },
      { method: 'GET', url: `${v}/configs/other-nginx-0123456789ab` },
      { method: 'GET', url: `${v}/configs/certkit-nginx-entrypoint-1` },
      { method: 'GET', url: `${v}/configs/certkit-nginx-conf-` },
      { method: 'GET', url: `${v}/configs?filters=%7B%22label%22%3A%5B%22certkit.stack%3Dother%22%5D%7D` },
      // Tasks of other services, unfiltered events.
      { method: 'GET', url: `${v}/tasks` },
      { method: 'GET', url: `${v}/tasks?filters=%7B%22service%22%3A%5B%22db%22%5D%7D` },
      { method: 'GET', url: `${v}/events` },
      // Exec anywhere but the certbot task; containers.
      {
        method: 'POST',
        url: `${v}/containers/${STACK}_nginx.1.${TASK}/exec`,
        body: '{"Cmd":["sh"],"AttachStdin":false,"AttachStdout":true,"AttachStderr":true}',
      },
      {
        method: 'POST',
        url: `${v}/containers/${CONTAINER}/exec`,
        body: '{"Cmd":["sh"],"AttachStdin":false,"AttachStdout":true,"AttachStderr":true}',
      },
      {
        method: 'POST',
        url: `${v}/containers/db_db.1.${TASK}/exec`,
        body: '{"Cmd":["sh"],"AttachStdin":false,"AttachStdout":true,"AttachStderr":true}',
      },
      {
        method: 'POST',
        url: `${v}/containers/${STACK}_certbot.1.${TASK}/exec`,
        body: '{"Cmd":["sh"],"Privileged":true,"AttachStdin":false,"AttachStdout":true,"AttachStderr":true}',
      },
      { method: 'GET', url: `${v}/containers/db_db.1.${TASK}/json` },
      // Archives: any other folder of the certbot task, the nginx task's, a write.
      { method: 'GET', url: `${v}/containers/${STACK}_certbot.1.${TASK}/archive?path=%2F` },
      { method: 'GET', url: `${v}/containers/${STACK}_certbot.1.${TASK}/archive?path=%2Fetc%2Fletsencrypt%2F..%2F..%2Froot` },
      { method: 'GET', url: `${v}/containers/${STACK}_nginx.1.${TASK}/archive?path=%2Fetc%2Fletsencrypt` },
      { method: 'PUT', url: `${v}/containers/${STACK}_certbot.1.${TASK}/archive?path=%2Fetc%2Fletsencrypt` },
      { method: 'POST', url: `${v}/containers/create` },
      { method: 'GET', url: `${v}/containers/json` },
      // The swarm itself, nodes changed, images, plugins.
      { method: 'POST', url: `${v}/swarm/leave?force=true` },
      { method: 'GET', url: `${v}/swarm` },
      { method: 'POST', url: `${v}/swarm/update?version=1` },
      { method: 'POST', url: `${v}/nodes/${NODE}/update?version=1` },
      { method: 'DELETE', url: `${v}/nodes/${NODE}` },
      { method: 'POST', url: `${v}/images/create?fromImage=alpine` },
      { method: 'GET', url: `${v}/plugins` },
      { method: 'GET', url: '/info' },
      { method: 'GET', url: `${v}/services/${STACK}_nginx/../other_app` },
    ];
    for (const request of refused)
      expect(allowedBy(rules, request), `${request.method} ${request.url} ${request.body ?? ''}`.slice(0, 300)).toBeUndefined();
  });

  it.each([false, true])(
    "the spec a rotation sends back passes, with the stack file's own secrets and configs (superseding a held update: %s)",
    (supersede) => {
      const spec = updatedSpec(
        {
          id: SERVICE_IDS.nginx,
          name: `${STACK}_nginx`,
          version: 3,
          replicas: 2,
          secrets: [],
          updateState: undefined,
          updateMessage: undefined,
          spec: nginxSpec() as never,
        },
        {
          secrets: [{ secretId: id('s'), secretName: SECRET, target: 'certkit-web.pem', uid: '0', gid: '0', mode: 0o400 }],
          monitorMs: 10_000,
          ...(supersede ? { supersede: '2026-12-03T21:32:33.000Z' } : {}),
        },
      );
      expect(
        allowedBy(rules, { method: 'POST', url: `/v1.47/services/${STACK}_nginx/update?version=3`, body: JSON.stringify(spec) }),
      ).toBeDefined();
    },
  );
});

interface Recorded extends ApiRequest {
  body: string;
}

/** nginx's spec as `docker stack deploy` of compose.swarm.yaml leaves it (the parts that matter here). */
function nginxSpec(): unknown {
  return {
    Name: `${STACK}_nginx`,
    Labels: { 'com.docker.stack.image': 'nginx', 'com.docker.stack.namespace': STACK },
    TaskTemplate: {
      ContainerSpec: {
        Image: 'nginx',
        Labels: { 'com.docker.stack.namespace': STACK },
        Command: ['/bin/sh', '/etc/certkit/swarm/entrypoint.sh'],
        Healthcheck: { Test: ['CMD', '/bin/sh', '/etc/certkit/swarm/entrypoint.sh', 'health'] },
        Secrets: [{ SecretID: id('s'), SecretName: SECRET, File: { Name: 'certkit-web.pem', UID: '0', GID: '0', Mode: 256 } }],
        Configs: [
          { ConfigID: id('f'), ConfigName: CONFIG, File: { Name: '/etc/certkit/swarm/nginx.conf', UID: '0', GID: '0', Mode: 292 } },
          {
            ConfigID: id('g'),
            ConfigName: 'certkit-nginx-entrypoint-1',
            File: { Name: '/etc/certkit/swarm/entrypoint.sh', UID: '0', GID: '0', Mode: 292 },
          },
          { ConfigID: id('h'), ConfigName: 'certkit-nginx-conf-1', File: { Name: '/etc/x.conf', UID: '0', GID: '0', Mode: 292 } },
        ],
        Isolation: 'default',
      },
      Networks: [{ Target: id('w'), Aliases: ['nginx'] }],
    },
    Mode: { Replicated: { Replicas: 2 } },
    UpdateConfig: { Parallelism: 1, Order: 'start-first', FailureAction: 'rollback' },
    EndpointSpec: { Mode: 'vip' },
  };
}

/** A Swarm manager's HTTP API on 127.0.0.1, answering what certkit asks of it, recording every request. */
async function standInManager(): Promise<{ endpoint: string; requests: Recorded[] }> {
  const requests: Recorded[] = [];
  const task = (service: string): RawTask => ({
    ID: TASK,
    ServiceID: service,
    NodeID: NODE,
    Slot: 1,
    DesiredState: 'running',
    Status: { State: 'running', ContainerStatus: { ContainerID: CONTAINER } },
  });
  const services = Object.entries(SERVICE_IDS).map(([short, serviceId]) => ({
    ID: serviceId,
    Spec: { Name: `${STACK}_${short}`, Labels: {} },
  }));
  const server = createServer((request, response) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const url = request.url ?? '';
      requests.push({ method: request.method ?? '', url, body: Buffer.concat(chunks).toString('utf8') });
      const json = (status: number, value: unknown): void => {
        response.writeHead(status, { 'Content-Type': 'application/json', 'API-Version': '1.47' });
        response.end(status === 204 ? undefined : JSON.stringify(value));
      };
      const path = (url.split('?')[0] ?? '').replace(/^\/v1\.\d+/, '');
      const method = request.method ?? '';
      if (path === '/_ping') return json(200, 'OK');
      if (path === '/info') return json(200, { Swarm: { LocalNodeState: 'active', ControlAvailable: true, NodeID: NODE } });
      if (path === '/services') return json(200, services);
      const service = /^\/services\/([^/]+)(\/update)?$/.exec(path);
      if (service) {
        if (service[2]) return json(200, { Warnings: null });
        const name = service[1] ?? '';
        const serviceId = name.endsWith('certbot') ? SERVICE_IDS.certbot : SERVICE_IDS.nginx;
        return json(200, { ID: serviceId, Version: { Index: 3 }, Spec: { ...(nginxSpec() as object), Name: name } });
      }
      if (path === '/tasks') {
        const filters = JSON.parse(new URL(url, 'http://x').searchParams.get('filters') ?? '{}') as { service?: string[] };
        return json(200, [task(filters.service?.[0] ?? '')]);
      }
      if (path === '/nodes') return json(200, [{ ID: NODE, Description: { Hostname: 'manager' } }]);
      if (path === '/secrets') return json(200, [{ ID: id('s'), CreatedAt: '', Spec: { Name: SECRET, Labels: {} } }]);
      if (path === '/configs') return json(200, [{ ID: id('f'), CreatedAt: '', Spec: { Name: CONFIG, Labels: {} } }]);
      if (/^\/(secrets|configs)\/create$/.test(path)) return json(201, { ID: id('z') });
      if (/^\/(secrets|configs)\//.test(path) && method === 'DELETE') return json(204, '');
      if (/^\/configs\//.test(path))
        return json(200, { ID: id('f'), Spec: { Name: CONFIG, Data: Buffer.from('events {}\n').toString('base64') } });
      if (path === '/events') {
        response.writeHead(200, { 'Content-Type': 'application/json' });
        return response.end(
          `${JSON.stringify({ Type: 'service', Action: 'update', Actor: { ID: SERVICE_IDS.nginx, Attributes: { name: `${STACK}_nginx` } } })}\n`,
        );
      }
      const inspect = /^\/containers\/([^/]+)\/json$/.exec(path);
      if (inspect) {
        return json(200, {
          Id: CONTAINER,
          Name: `/${inspect[1] ?? ''}`,
          State: { Status: 'running', Running: true, StartedAt: '2026-12-03T00:00:00Z', Health: { Status: 'healthy' } },
          Config: { Labels: {} },
        });
      }
      if (path.endsWith('/archive') && method === 'GET') {
        response.writeHead(200, { 'Content-Type': 'application/x-tar' });
        return response.end(Buffer.alloc(1024));
      }
      if (path.endsWith('/exec') && method === 'POST') return json(201, { Id: EXEC_ID });
      if (path === `/exec/${EXEC_ID}/json`) return json(200, { Running: false, ExitCode: 0 });
      if (path === `/exec/${EXEC_ID}/start`) {
        response.writeHead(200, { 'Content-Type': 'application/vnd.docker.raw-stream' });
        return response.end();
      }
      return json(500, { message: `the stand-in has no answer for ${method} ${url}` });
    })();
  });
  server.on('upgrade', answerExecUpgrade(requests));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `tcp://127.0.0.1:${port}`, requests };
}

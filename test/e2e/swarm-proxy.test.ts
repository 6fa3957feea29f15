import { describe, expect, inject, it } from 'vitest';
import { docker, serviceContainer } from '../../bench/swarm-bed.js';
import { runCommand, type CommandResult } from './support/docker-cli.js';
import { APP_NAME, daemonDeploy, servedByAll as servedByAllIn, storeSerial as serialIn, WEB_SITE as WEB } from './support/swarm-sites.js';
import { useSwarmBed } from './support/swarm-suite.js';
import { waitUntil } from './support/wait.js';

const dockerMissing = inject('dockerMissing');

interface ProxyCall {
  method: string;
  path: string;
  body?: string;
}

// Sends each call to docker-proxy from inside certkit's task container (where certkit's own calls come from), as
// written: no normalising of the path. Prints [status, body] per call.
const SEND_CALLS = `
const http = require('node:http');
const calls = JSON.parse(process.argv[1]);
(async () => {
  const answers = [];
  for (const call of calls) {
    answers.push(await new Promise((resolve) => {
      const headers = call.body === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(call.body) };
      const request = http.request({ host: 'docker-proxy', port: 2375, method: call.method, path: call.path, headers }, (response) => {
        let body = '';
        response.on('data', (chunk) => { if (body.length < 400) body += chunk; });
        response.on('end', () => resolve([response.statusCode, body]));
      });
      request.on('error', (error) => resolve(['error', error.message]));
      request.setTimeout(10000, () => request.destroy(new Error('timeout')));
      request.end(call.body);
    }));
  }
  console.log(JSON.stringify(answers));
})();
`;

// Least privilege on Swarm: compose.swarm.yaml's certkit service holds no Docker socket; it reaches the manager's
// engine through the stack's docker-proxy (HAProxy, swarm/docker-proxy.cfg as `certkit render` writes it for the
// stack), which passes the Swarm calls certkit makes for this stack and refuses every other with a 403 naming it.
describe.skipIf(dockerMissing !== '')('swarm: certkit reaches the manager only through the socket proxy', () => {
  const suite = useSwarmBed({ site: WEB, deploy: daemonDeploy });
  const storeSerial = (certName: string) => serialIn(suite.bed, certName);
  const servedByAll = (certName: string, name: string) => servedByAllIn(suite.bed, certName, name);
  const inCertkit = async (argv: readonly string[]): Promise<CommandResult> =>
    runCommand('docker', ['exec', await serviceContainer(`${suite.bed.name}_certkit`), ...argv], { timeoutMs: 400_000 });
  const serviceLogs = async (service: string): Promise<string> => {
    const result = await runCommand('docker', ['service', 'logs', '--raw', `${suite.bed.name}_${service}`]);
    return result.stdout + result.stderr;
  };
  const withLogs = async (error: Error): Promise<never> => {
    throw new Error(
      `${error.message}\ncertkit's log:\n${await serviceLogs('certkit')}\ndocker-proxy's log:\n${await serviceLogs('docker-proxy')}`,
    );
  };

  it("certkit's service has no socket: DOCKER_HOST is the proxy, on an internal network with the proxy alone", async () => {
    const spec = JSON.parse(
      await docker(['service', 'inspect', `${suite.bed.name}_certkit`, '--format', '{{json .Spec.TaskTemplate.ContainerSpec}}']),
    ) as {
      Env?: string[];
      Mounts?: unknown[];
    };
    expect(spec.Mounts ?? []).toEqual([]);
    expect(spec.Env).toContain('DOCKER_HOST=tcp://docker-proxy:2375');
    const network = `${suite.bed.name}_docker-api`;
    expect((await docker(['network', 'inspect', network, '--format', '{{.Internal}} {{.Attachable}}'])).trim()).toBe('true false');
    const members = await Promise.all(
      ['certkit', 'docker-proxy', 'nginx', 'certbot', 'app'].map(async (service) => {
        const networks = await docker([
          'service',
          'inspect',
          `${suite.bed.name}_${service}`,
          '--format',
          '{{json .Spec.TaskTemplate.Networks}}',
        ]);
        const id = (await docker(['network', 'inspect', network, '--format', '{{.Id}}'])).trim();
        return networks.includes(id) ? service : undefined;
      }),
    );
    expect(members.filter(Boolean).sort()).toEqual(['certkit', 'docker-proxy']);
    // The proxy: the socket read-only, every capability dropped, a read-only filesystem.
    const proxy = JSON.parse(
      await docker(['inspect', await serviceContainer(`${suite.bed.name}_docker-proxy`), '--format', '{{json .}}']),
    ) as {
      HostConfig: { CapDrop?: string[]; ReadonlyRootfs?: boolean };
      Mounts: Array<{ Destination: string; RW: boolean }>;
    };
    expect(proxy.HostConfig.CapDrop).toEqual(['ALL']);
    expect(proxy.HostConfig.ReadonlyRootfs).toBe(true);
    expect(proxy.Mounts.map((mount) => `${mount.Destination} ${mount.RW ? 'rw' : 'ro'}`)).toContain('/var/run/docker.sock ro');
  });

  it('the daemon issues the .env site and the labelled site through the proxy, served by every replica', async () => {
    for (const [certName, name] of [
      ['web', WEB.names[0] as string],
      ['app', APP_NAME],
    ] as const) {
      await waitUntil(`every replica to serve ${name}`, () => servedByAll(certName, name), { timeoutMs: 240_000, intervalMs: 3_000 }).catch(
        withLogs,
      );
    }
  });

  it('a forced renewal is rotated into every replica through the proxy and the old version removed; the proxy refused none of it', async () => {
    const before = await storeSerial('web');
    const result = await inCertkit([
      'node',
      '/opt/certkit/bin/certkit.js',
      '--env-file',
      '/run/secrets/certkit.env',
      'update',
      '--force',
      'web',
    ]);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    const after = await storeSerial('web');
    expect(after).not.toBe(before);
    expect(
      await waitUntil('every replica to serve the renewal', () => servedByAll('web', WEB.names[0] as string), { timeoutMs: 120_000 }),
    ).toBe(after);
    const versions = (
      await docker([
        'secret',
        'ls',
        '--filter',
        `label=certkit.site=web`,
        '--filter',
        `label=certkit.stack=${suite.bed.name}`,
        '--format',
        '{{.Name}}',
      ])
    )
      .trim()
      .split('\n');
    expect(versions).toHaveLength(1);
    const proxyLog = await serviceLogs('docker-proxy');
    expect(proxyLog).toMatch(/POST \/v1\.\d+\/services\/\S+_nginx\/update/);
    expect(proxyLog).not.toMatch(/ 403 /);
  });

  it('refuses every call certkit does not make with a 403 naming it, and nothing changes on the engine', async () => {
    const { name } = suite.bed;
    const v = '/v1.41';
    interface ServiceJson {
      ID: string;
      Version: { Index: number };
      Spec: { TaskTemplate: { ContainerSpec: Record<string, unknown> } };
    }
    const inspect = async (service: string): Promise<ServiceJson> =>
      JSON.parse(await docker(['service', 'inspect', `${name}_${service}`, '--format', '{{json .}}'])) as ServiceJson;
    const nginxSpec = await inspect('nginx');
    const appSpec = await inspect('app');
    const widened = (extra: Record<string, unknown>): string =>
      JSON.stringify({
        ...nginxSpec.Spec,
        TaskTemplate: { ...nginxSpec.Spec.TaskTemplate, ContainerSpec: { ...nginxSpec.Spec.TaskTemplate.ContainerSpec, ...extra } },
      });
    const container = async (service: string) =>
      (await docker(['inspect', '--format', '{{.Name}}', await serviceContainer(`${name}_${service}`)])).trim().slice(1);
    const [nginxTask, appTask, proxyTask] = await Promise.all(['nginx', 'app', 'docker-proxy'].map(container));
    const certbotId = await serviceContainer(`${name}_certbot`);
    const envSecret = `certkit-env-${name}`;
    const nodeId = (await docker(['info', '--format', '{{.Swarm.NodeID}}'])).trim();
    const exec = JSON.stringify({ Cmd: ['id'], AttachStdin: false, AttachStdout: true, AttachStderr: true });
    const refused: ProxyCall[] = [
      { method: 'POST', path: `${v}/services/${name}_app/update?version=${appSpec.Version.Index}`, body: JSON.stringify(appSpec.Spec) },
      { method: 'POST', path: `${v}/services/${nginxSpec.ID}/update?version=${nginxSpec.Version.Index}`, body: widened({}) },
      {
        method: 'POST',
        path: `${v}/services/${name}_nginx/update?version=${nginxSpec.Version.Index}`,
        body: widened({ Mounts: [{ Type: 'bind', Source: '/var/run/docker.sock', Target: '/var/run/docker.sock' }] }),
      },
      {
        method: 'POST',
        path: `${v}/services/${name}_nginx/update?version=${nginxSpec.Version.Index}`,
        body: widened({ Secrets: [{ SecretName: envSecret, SecretID: 'x', File: { Name: 'env', UID: '0', GID: '0', Mode: 292 } }] }),
      },
      {
        method: 'POST',
        path: `${v}/services/create`,
        body: JSON.stringify({ Name: 'evil', TaskTemplate: { ContainerSpec: { Image: 'x' } } }),
      },
      { method: 'DELETE', path: `${v}/services/${name}_app` },
      { method: 'GET', path: `${v}/services` },
      { method: 'GET', path: `${v}/services/${name}_app` },
      {
        method: 'POST',
        path: `${v}/secrets/create`,
        body: JSON.stringify({ Name: 'other-web-0123456789ab', Labels: { 'certkit.stack': name }, Data: '' }),
      },
      {
        method: 'POST',
        path: `${v}/secrets/create`,
        body: JSON.stringify({ Name: `${name}-web-0123456789ab`, Labels: { 'certkit.stack': 'other' }, Data: '' }),
      },
      { method: 'DELETE', path: `${v}/secrets/${envSecret}` },
      { method: 'GET', path: `${v}/secrets` },
      { method: 'GET', path: `${v}/secrets/${envSecret}` },
      { method: 'GET', path: `${v}/configs` },
      { method: 'DELETE', path: `${v}/configs/certkit-nginx-entrypoint-${name}` },
      { method: 'POST', path: `${v}/containers/${nginxTask}/exec`, body: exec },
      { method: 'POST', path: `${v}/containers/${appTask}/exec`, body: exec },
      { method: 'POST', path: `${v}/containers/${proxyTask}/exec`, body: exec },
      { method: 'POST', path: `${v}/containers/${certbotId}/exec`, body: exec },
      { method: 'GET', path: `${v}/containers/${appTask}/json` },
      { method: 'POST', path: `${v}/containers/create`, body: JSON.stringify({ Image: 'x', HostConfig: { Privileged: true } }) },
      { method: 'GET', path: `${v}/containers/json?all=true` },
      { method: 'POST', path: `${v}/swarm/leave?force=true` },
      { method: 'GET', path: `${v}/swarm` },
      { method: 'POST', path: `${v}/nodes/${nodeId}/update?version=1`, body: JSON.stringify({ Availability: 'drain' }) },
      { method: 'GET', path: `${v}/tasks` },
      { method: 'GET', path: `${v}/events` },
      { method: 'POST', path: `${v}/images/create?fromImage=alpine&tag=latest` },
      { method: 'GET', path: `${v}/volumes` },
      { method: 'GET', path: `${v}/services/${name}_nginx/../${name}_app` },
      { method: 'GET', path: '/info' },
      { method: 'DELETE', path: `${v}/_ping` },
    ];
    const allowed: ProxyCall[] = [
      { method: 'GET', path: `${v}/_ping` },
      { method: 'GET', path: `${v}/services/${name}_nginx` },
    ];
    const state = async (): Promise<string> =>
      (
        await Promise.all([
          docker(['service', 'ls', '--filter', `label=com.docker.stack.namespace=${name}`, '--format', '{{.ID}} {{.Name}}']),
          docker(['service', 'inspect', `${name}_nginx`, `${name}_app`, '--format', '{{.Version.Index}}']),
          docker(['secret', 'ls', '--format', '{{.ID}} {{.Name}}']),
          docker(['config', 'ls', '--format', '{{.ID}} {{.Name}}']),
          docker(['node', 'ls', '--format', '{{.ID}} {{.Availability}}']),
          docker([
            'ps',
            '-a',
            '--no-trunc',
            '--format',
            '{{.ID}} {{.Names}} {{.State}}',
            '--filter',
            `label=com.docker.stack.namespace=${name}`,
          ]),
          docker(['info', '--format', '{{.Swarm.LocalNodeState}}']),
        ])
      )
        .map((text) => text.split('\n').filter(Boolean).sort().join('\n'))
        .join('\n--\n');
    const before = await state();
    const sent = await inCertkit(['node', '-e', SEND_CALLS, JSON.stringify([...allowed, ...refused])]);
    expect(sent.code, sent.stderr).toBe(0);
    const answers = JSON.parse(sent.stdout) as Array<[number | string, string]>;
    expect(answers.slice(0, allowed.length).map(([code]) => code)).toEqual([200, 200]);
    const answered = refused.map((call, index) => {
      const [code, body] = answers[allowed.length + index] ?? ['none', ''];
      const named = body.includes(`certkit docker-proxy (Swarm stack ${name}) refused ${call.method} `);
      return `${call.method} ${call.path} → ${String(code)}${named ? ', named' : `: ${body}`}`;
    });
    expect(answered).toEqual(refused.map((call) => `${call.method} ${call.path} → 403, named`));
    expect(await state()).toBe(before);
  });
});

import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCommand, type CommandResult } from './support/docker-cli.js';
import { EXEC_BODY_ESCAPES, EXEC_BODY_LIMIT } from '../../src/docker/api-allowlist.js';
import { TestStack } from './support/stack.js';
import { probeCertificate } from './support/tls.js';
import { waitUntil } from './support/wait.js';

const dockerMissing = inject('dockerMissing');

interface ProxyCall {
  method: string;
  path: string;
  body?: string;
}

// Sends each call to the proxy from inside the certkit container (where certkit's own calls come from) as it is
// written: no normalising of the path, the method as given. Prints one status code per call.
const SEND_CALLS = `
const http = require('node:http');
const calls = JSON.parse(require('node:fs').readFileSync(process.argv[1], 'utf8'));
(async () => {
  const codes = [];
  for (const call of calls) {
    codes.push(await new Promise((resolve) => {
      const headers = call.body === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(call.body) };
      const request = http.request({ host: 'docker-proxy', port: 2375, method: call.method, path: call.path, headers }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode));
      });
      request.on('error', (error) => resolve('error ' + error.message));
      request.setTimeout(10000, () => request.destroy(new Error('timeout')));
      request.end(call.body);
    }));
  }
  console.log(JSON.stringify(codes));
})();
`;

// Least privilege (issue 20): certkit holds no Docker socket; it reaches the engine through docker-proxy (HAProxy with
// the configuration certkit-init rendered), which lets through the calls certkit makes and refuses everything else.
describe.skipIf(dockerMissing !== '')('certkit reaches Docker only through the socket proxy', () => {
  let stack: TestStack;
  const inCertkit = async (argv: readonly string[]): Promise<CommandResult> =>
    runCommand('docker', ['exec', '-w', '/project', await stack.containerId('certkit'), ...argv]);
  const certkit = (args: readonly string[]): Promise<CommandResult> => inCertkit(['node', '/opt/certkit/bin/certkit.js', ...args]);
  const containerName = async (service: string): Promise<string> => {
    const result = await runCommand('docker', ['inspect', '--format', '{{.Name}}', await stack.containerId(service)]);
    return result.stdout.trim().replace(/^\//, '');
  };
  const engineState = async (): Promise<string> => {
    const lists = await Promise.all([
      runCommand('docker', ['ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.Names}} {{.State}} {{.Image}}']),
      runCommand('docker', ['image', 'ls', '-a', '--no-trunc', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}']),
      runCommand('docker', ['volume', 'ls', '--format', '{{.Name}}']),
      runCommand('docker', ['network', 'ls', '--no-trunc', '--format', '{{.ID}} {{.Name}}']),
    ]);
    // Only this stack's containers and the engine's images, volumes and networks: other helpers' stacks come and go.
    const [containers, ...rest] = lists.map((list) => list.stdout.split('\n').filter(Boolean).sort());
    return [
      ...(containers ?? []).filter((line) => line.includes(stack.project)),
      ...rest.flat().filter((line) => !/\bck[0-9a-z]{4,}/.test(line) || line.includes(stack.project)),
    ].join('\n');
  };

  beforeAll(async () => {
    stack = await TestStack.create();
    await stack.up();
  });
  afterAll(async () => {
    if (stack) await stack.destroy();
  });

  it('certkit holds no socket: its DOCKER_HOST is the proxy, on a network only the two of them share', async () => {
    const id = await stack.containerId('certkit');
    const mounts = await runCommand('docker', ['inspect', '--format', '{{range .Mounts}}{{.Destination}} {{end}}', id]);
    expect(mounts.stdout).not.toMatch(/docker\.sock/);
    const env = await runCommand('docker', ['inspect', '--format', '{{range .Config.Env}}{{println .}}{{end}}', id]);
    expect(env.stdout).toMatch(/^DOCKER_HOST=tcp:\/\/docker-proxy:2375$/m);
    const proxyNetworks = await runCommand('docker', [
      'inspect',
      '--format',
      '{{range $name, $_ := .NetworkSettings.Networks}}{{println $name}}{{end}}',
      await stack.containerId('docker-proxy'),
    ]);
    const networks = proxyNetworks.stdout.split('\n').filter(Boolean);
    expect(networks).toHaveLength(1);
    const network = networks[0] as string;
    const members = await runCommand('docker', [
      'network',
      'inspect',
      '--format',
      '{{range .Containers}}{{println .Name}}{{end}}',
      network,
    ]);
    expect(members.stdout.split('\n').filter(Boolean).sort()).toEqual(
      [await containerName('certkit'), await containerName('docker-proxy')].sort(),
    );
    const internal = await runCommand('docker', ['network', 'inspect', '--format', '{{.Internal}}', network]);
    expect(internal.stdout.trim()).toBe('true');
  });

  it('the daemon issues the first certificate through the proxy', async () => {
    await waitUntil('nginx to serve HTTPS', () => probeCertificate(stack.httpsPort, stack.names[0] as string).catch(() => undefined), {
      timeoutMs: 120_000,
      intervalMs: 1_000,
    }).catch(async (error: Error) => {
      throw new Error(`${error.message}\n--- compose logs ---\n${await stack.logs()}`);
    });
  });

  it('update, renewal, status, backup, restore, import and doctor all run through the proxy, which refuses none of their calls', async () => {
    const run = async (args: readonly string[]): Promise<CommandResult> => {
      const result = await certkit(args);
      expect(result.code, `certkit ${args.join(' ')}:\n${result.stdout}\n${result.stderr}`).toBe(0);
      return result;
    };
    const before = await probeCertificate(stack.httpsPort, stack.names[0] as string);
    await run(['update']);
    await run(['update', '--force']);
    const renewed = await probeCertificate(stack.httpsPort, stack.names[0] as string);
    expect(renewed.serial).not.toBe(before.serial);
    const status = JSON.parse((await run(['status', '--json'])).stdout) as Array<{ serial?: string }>;
    expect(status.length).toBeGreaterThan(0);
    await run(['backup', '-o', '/project/proxy-backup.tar.gz']);
    await run(['restore', '/project/proxy-backup.tar.gz', '--force']);
    // import: the backed-up store, unpacked as a folder another certbot left.
    const unpacked = join(stack.dir, 'unpacked');
    await mkdir(unpacked);
    const untar = await runCommand('tar', ['-xzf', join(stack.dir, 'proxy-backup.tar.gz'), '-C', unpacked]);
    expect(untar.code, untar.stderr).toBe(0);
    const [top] = await readdir(unpacked);
    await run(['import', `/project/unpacked/${top ?? ''}`, '--force']);
    await run(['doctor']);
    await run(['update']);
    const logs = await stack.compose(['logs', '--no-color', 'docker-proxy']);
    expect(logs.stdout + logs.stderr).not.toMatch(/ 403 /);
  });

  it('refuses every other call with 403, and nothing changes on the engine', async () => {
    const [certbot, nginx, neighbour, proxy] = await Promise.all(
      ['certbot', 'nginx', 'pebble-challtestsrv', 'docker-proxy'].map(containerName),
    );
    const certbotId = await stack.containerId('certbot');
    const v = '/v1.41';
    const exec = JSON.stringify({ Cmd: ['id'], AttachStdin: false, AttachStdout: true, AttachStderr: true });
    const otherProject = encodeURIComponent(JSON.stringify({ label: ['com.docker.compose.project=someone-else'] }));
    const refused: ProxyCall[] = [
      { method: 'POST', path: `${v}/containers/create`, body: JSON.stringify({ Image: 'certkit-test/none', Cmd: ['true'] }) },
      {
        method: 'POST',
        path: `${v}/containers/create?name=${stack.project}-evil-1`,
        body: JSON.stringify({ Image: 'x', HostConfig: { Privileged: true } }),
      },
      { method: 'POST', path: `${v}/containers/${neighbour}/exec`, body: exec },
      { method: 'POST', path: `${v}/containers/${proxy}/exec`, body: exec },
      { method: 'POST', path: `${v}/containers/${certbot}/exec`, body: exec.replace('"Cmd"', '"Privileged":true,"Cmd"') },
      { method: 'POST', path: `${v}/containers/${certbot}/exec`, body: exec.replace('}', ',"User":"0"}') },
      { method: 'POST', path: `${v}/containers/${certbotId}/exec`, body: exec },
      { method: 'GET', path: `${v}/containers/${neighbour}/json` },
      { method: 'GET', path: `${v}/containers/${proxy}/json` },
      { method: 'GET', path: `${v}/containers/${certbotId}/json` },
      { method: 'POST', path: `${v}/containers/${nginx}/start` },
      { method: 'POST', path: `${v}/containers/${nginx}/stop` },
      { method: 'POST', path: `${v}/containers/${nginx}/restart` },
      { method: 'POST', path: `${v}/containers/${nginx}/kill?signal=SIGKILL` },
      { method: 'POST', path: `${v}/containers/${certbot}/kill?signal=SIGHUP` },
      { method: 'DELETE', path: `${v}/containers/${neighbour}?force=true` },
      { method: 'POST', path: `${v}/images/create?fromImage=alpine&tag=latest` },
      { method: 'GET', path: `${v}/images/json` },
      { method: 'GET', path: `${v}/volumes` },
      { method: 'POST', path: `${v}/volumes/create`, body: JSON.stringify({ Name: `${stack.project}-evil` }) },
      { method: 'GET', path: `${v}/networks` },
      { method: 'GET', path: `${v}/swarm` },
      { method: 'GET', path: `${v}/plugins` },
      { method: 'POST', path: `${v}/build` },
      { method: 'GET', path: `${v}/info` },
      { method: 'GET', path: `${v}/containers/json?all=true` },
      { method: 'GET', path: `${v}/containers/json?all=true&filters=${otherProject}` },
      { method: 'GET', path: `${v}/events` },
      { method: 'GET', path: `${v}/containers/${certbot}/archive?path=%2Fetc` },
      { method: 'PUT', path: `${v}/containers/${certbot}/archive?path=%2F`, body: '' },
      { method: 'GET', path: `${v}/containers/${certbot}/export` },
      { method: 'GET', path: `${v}/containers/${certbot}/../${neighbour}/json` },
      { method: 'GET', path: `${v}/containers/${certbot}%2F..%2F${neighbour}/json` },
      { method: 'GET', path: `${v}/containers/${certbot}%2fjson` },
      { method: 'DELETE', path: `${v}/_ping` },
      { method: 'PATCH', path: `${v}/containers/${nginx}/update`, body: '{}' },
      { method: 'HEAD', path: `${v}/containers/${certbot}/archive?path=%2Fetc%2Fletsencrypt` },
      { method: 'GET', path: '/_ping' },
      { method: 'GET', path: `/containers/${certbot}/json` },
      { method: 'POST', path: `/containers/${nginx}/exec`, body: exec },
    ];
    expect(refused.length).toBeGreaterThanOrEqual(25);
    // What certkit may send passes: an exec's body as large and with as many escapes as the allowlist says it may.
    const execOf = (arg: string): string =>
      JSON.stringify({ Cmd: ['true', arg], AttachStdin: false, AttachStdout: true, AttachStderr: true });
    const allowed: ProxyCall[] = [
      { method: 'GET', path: `${v}/_ping` },
      { method: 'GET', path: `${v}/containers/${certbot}/json` },
      { method: 'POST', path: `${v}/containers/${certbot}/exec`, body: execOf('x'.repeat(EXEC_BODY_LIMIT - 200)) },
      { method: 'POST', path: `${v}/containers/${certbot}/exec`, body: execOf('a"\n'.repeat(EXEC_BODY_ESCAPES / 2)) },
    ];
    const before = await engineState();
    // Through a file in the project folder (/project in the container): an argument that long is more than exec takes.
    await writeFile(join(stack.dir, 'proxy-calls.json'), JSON.stringify([...allowed, ...refused]));
    const sent = await inCertkit(['node', '-e', SEND_CALLS, '/project/proxy-calls.json']);
    expect(sent.code, sent.stderr).toBe(0);
    const codes = JSON.parse(sent.stdout) as Array<number | string>;
    expect(codes.slice(0, allowed.length)).toEqual(allowed.map((call) => (call.method === 'POST' ? 201 : 200)));
    const answered = refused.map((call, index) => `${call.method} ${call.path} → ${String(codes[allowed.length + index])}`);
    expect(answered).toEqual(refused.map((call) => `${call.method} ${call.path} → 403`));
    expect(await engineState()).toBe(before);
  });
});

// The stack of the multi-node swarm test, deployed on the nested swarm of swarm-nodes.ts: compose.swarm.yaml with the
// changes the bed needs, and the questions the test asks of it (which node runs which nginx task, what each node's
// port 443 serves).
//
// Changes to the user's stack file: nginx is global (a task on every node that is not drained) and publishes 80/443 in
// host mode on each node's own address, every service is reached by DNS round robin (endpoint_mode dnsrr), and a
// Pebble with its DNS runs on the manager. The kernel here has no IPVS, so neither Swarm's virtual IPs nor its routing
// mesh (ingress-mode ports) can work, in the nested engines as on the host. The overlay network stays as the stack
// file has it (not internal): Pebble's validation leaves its task through the node's docker_gwbridge to a worker's
// address. Nothing leaves the machine, as the nodes sit on an internal network of the host engine.
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import type { Site } from '../../../src/sites/site.js';
import { onManager, type SwarmNodes } from './swarm-nodes.js';
import { waitUntil } from './wait.js';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));

export interface NginxTask {
  id: string;
  node: string;
  desired: string;
  state: string;
}

/** Writes the stack file and deploys it on the manager; returns the folder (the caller removes it). */
export async function deployMultiNodeStack(
  nodes: SwarmNodes,
  options: { stack: string; site: Site; images: Record<string, string>; legacy: boolean; nginxConf: string },
): Promise<string> {
  const { stack } = options;
  const dir = await mkdtemp(join(tmpdir(), `${stack}-`));
  await mkdir(join(dir, 'swarm'));
  await mkdir(join(dir, 'templates'));
  await cp(join(REPO, 'templates', 'swarm'), join(dir, 'templates', 'swarm'), { recursive: true });
  await writeFile(join(dir, 'swarm', 'nginx.conf'), options.nginxConf);
  await cp(join(REPO, 'pebble', 'pebble-config.json'), join(dir, 'pebble-config.json'));

  const file = parse(await readFile(join(REPO, 'compose.swarm.yaml'), 'utf8'));
  const nginx = file.services.nginx;
  nginx.ports = [80, 443].map((port) => ({ target: port, published: port, protocol: 'tcp', mode: 'host' }));
  delete nginx.deploy.replicas;
  nginx.deploy.mode = 'global';
  const onManagerOnly = { placement: { constraints: ['node.role == manager'] } };
  file.services.pebble = {
    image: '${PEBBLE_IMAGE}',
    command: ['-config', '/etc/certkit/pebble-config.json', '-dnsserver', 'pebble-challtestsrv:8053'],
    environment: { PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' },
    configs: [{ source: 'pebble-config', target: '/etc/certkit/pebble-config.json' }],
    deploy: onManagerOnly,
  };
  file.services['pebble-challtestsrv'] = {
    image: '${PEBBLE_CHALLTESTSRV_IMAGE}',
    command: [
      '-management',
      ':8055',
      options.legacy ? '-dns01' : '-dnsserver',
      ':8053',
      '-http01',
      '',
      '-https01',
      '',
      '-tlsalpn01',
      '',
      ...(options.legacy ? [] : ['-doh', '']),
    ],
    deploy: onManagerOnly,
  };
  file.configs['pebble-config'] = { name: `${stack}-pebble-config`, file: './pebble-config.json' };
  for (const service of Object.values(file.services) as Array<{ deploy?: Record<string, unknown> }>)
    service.deploy = { ...service.deploy, endpoint_mode: 'dnsrr' };
  await writeFile(join(dir, 'stack.yaml'), stringify(file));

  const env = {
    NGINX_IMAGE: options.images['NGINX_IMAGE'],
    CERTBOT_IMAGE: options.images['CERTBOT_IMAGE'],
    PEBBLE_IMAGE: options.images['PEBBLE_IMAGE'],
    PEBBLE_CHALLTESTSRV_IMAGE: options.images['PEBBLE_CHALLTESTSRV_IMAGE'],
    CERTKIT_SWARM_CONF_VERSION: stack,
  };
  await onManager(nodes, ['stack', 'deploy', '--resolve-image', 'never', '-c', join(dir, 'stack.yaml'), stack], 180_000, env);
  await waitUntil(
    'every service of the stack to run (nginx on all three nodes)',
    async () => {
      const lines = (
        await onManager(nodes, [
          'service',
          'ls',
          '--filter',
          `label=com.docker.stack.namespace=${stack}`,
          '--format',
          '{{.Name}} {{.Replicas}}',
        ])
      )
        .trim()
        .split('\n');
      const running =
        lines.length === 5 && lines.every((line) => /\s(\d+)\/\1\b/.test(line)) && lines.some((line) => line.endsWith(' 3/3'));
      return running ? true : undefined;
    },
    { timeoutMs: 240_000, intervalMs: 1_000 },
  );
  return dir;
}

/** The nginx service's tasks (all states), as `docker service ps` gives them: node by hostname. */
export async function nginxTasks(nodes: SwarmNodes, service: string): Promise<NginxTask[]> {
  const out = await onManager(nodes, [
    'service',
    'ps',
    service,
    '--no-trunc',
    '--format',
    '{{.ID}} {{.Node}} {{.DesiredState}} {{.CurrentState}}',
  ]);
  return out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id = '', node = '', desired = '', state = ''] = line.split(/\s+/);
      return { id, node, desired, state };
    });
}

/** The nodes (hostnames) with an nginx task running. */
export async function nodesRunningNginx(nodes: SwarmNodes, service: string): Promise<string[]> {
  return (await nginxTasks(nodes, service))
    .filter((task) => task.desired === 'Running' && task.state === 'Running')
    .map((task) => task.node)
    .sort();
}

/** Python for the certbot task: the leaf a node's port 443 presents for a name (DER, base64), or the error. */
export function handshakeScript(ip: string, name: string): string {
  return `
import socket, ssl, base64
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
with socket.create_connection(("${ip}", 443), timeout=10) as raw:
    with ctx.wrap_socket(raw, server_hostname="${name}") as tls:
        print(base64.b64encode(tls.getpeercert(binary_form=True)).decode())
`;
}

export async function removeStackFolder(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}

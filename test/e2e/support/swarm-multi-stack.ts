// The stack of the multi-node swarm test, deployed on the nested swarm of swarm-nodes.ts: compose.swarm.yaml with the
// changes the bed needs, and the questions the test asks of it (which node runs which nginx task, at which address).
//
// Changes to the user's stack file: nginx is global (a task on every node that is not drained) and publishes no port;
// every service is reached by DNS round robin (endpoint_mode dnsrr); a Pebble with its DNS runs on the manager; and an
// `edge` service stands in for Swarm's routing mesh. The kernel here has no IPVS, so neither Swarm's virtual IPs nor its
// routing mesh (ingress-mode ports) work, in the nested engines as on the host. nginx cannot publish in host mode
// either: a start-first update (which certkit's rotation enforces) starts the new task beside the old one on the same
// node, and Swarm leaves it pending ("host-mode port already in use on 1 node") for ever. So the edge, global too, never
// updated by a rotation, publishes 80/443 in host mode on every node and passes each connection to an nginx task
// found by DNS, any node's, as the mesh would. The overlay network stays as the stack file has it (not internal):
// Pebble's validation leaves its task through the node's docker_gwbridge to a worker's address. Nothing leaves the
// machine: the nodes sit on an internal network of the host engine.
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import type { Site } from '../../../src/sites/site.js';
import { onManager, type SwarmNodes } from './swarm-nodes.js';
import { waitUntil } from './wait.js';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));

interface StackService {
  deploy?: Record<string, unknown>;
  [key: string]: unknown;
}
interface StackFile {
  services: Record<string, StackService>;
  configs: Record<string, unknown>;
}

export interface NginxTask {
  id: string;
  node: string;
  desired: string;
  state: string;
}

// The edge: a TCP forwarder in Python (the certbot stand-in has it, and shares its base layer with nginx's), resolving
// `nginx` at each connection and taking one of its tasks at random.
const EDGE = `import asyncio, random, socket

async def pipe(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except OSError:
        pass
    finally:
        writer.close()

def serve(port):
    async def handle(client_reader, client_writer):
        try:
            found = await asyncio.get_running_loop().getaddrinfo("nginx", port, type=socket.SOCK_STREAM)
            reader, writer = await asyncio.wait_for(asyncio.open_connection(random.choice(found)[4][0], port), 5)
        except (OSError, asyncio.TimeoutError):
            client_writer.close()
            return
        await asyncio.gather(pipe(client_reader, writer), pipe(reader, client_writer))
    return asyncio.start_server(handle, "0.0.0.0", port)

async def main():
    servers = [await serve(80), await serve(443)]
    await asyncio.gather(*(server.serve_forever() for server in servers))

asyncio.run(main())
`;

/** A folder for the stack's files (the caller removes it with removeStackFolder, also after a failed deploy). */
export const makeStackFolder = (stack: string): Promise<string> => mkdtemp(join(tmpdir(), `${stack}-`));

/** Writes the stack file into dir and deploys it on the manager. */
export async function deployMultiNodeStack(
  nodes: SwarmNodes,
  dir: string,
  options: { stack: string; site: Site; images: Record<string, string>; legacy: boolean; nginxConf: string },
): Promise<void> {
  const { stack } = options;
  await mkdir(join(dir, 'swarm'));
  await mkdir(join(dir, 'templates'));
  await cp(join(REPO, 'templates', 'swarm'), join(dir, 'templates', 'swarm'), { recursive: true });
  await writeFile(join(dir, 'swarm', 'nginx.conf'), options.nginxConf);
  await cp(join(REPO, 'pebble', 'pebble-config.json'), join(dir, 'pebble-config.json'));
  await writeFile(join(dir, 'edge.py'), EDGE);

  const file = parse(await readFile(join(REPO, 'compose.swarm.yaml'), 'utf8')) as StackFile;
  // The test rotates through certkit's code itself: no certkit daemon service, nor its .env secret, nor the socket
  // proxy that serves only that daemon (with its rendered config and its network).
  delete file.services['certkit'];
  delete file.services['docker-proxy'];
  delete file.configs['docker-proxy-conf'];
  delete (file as { networks?: Record<string, unknown> }).networks?.['docker-api'];
  delete (file as { secrets?: unknown }).secrets;
  const nginx = file.services['nginx'] as StackService;
  delete nginx['ports'];
  const { replicas: _replicas, ...deploy } = nginx.deploy ?? {};
  nginx.deploy = { ...deploy, mode: 'global' };
  file.services['edge'] = {
    image: '${CERTBOT_IMAGE}',
    entrypoint: ['python3', '/etc/certkit/edge.py'],
    ports: [80, 443].map((port) => ({ target: port, published: port, protocol: 'tcp', mode: 'host' })),
    configs: [{ source: 'edge', target: '/etc/certkit/edge.py' }],
    deploy: { mode: 'global' },
  };
  const onManagerOnly = { placement: { constraints: ['node.role == manager'] } };
  file.services['pebble'] = {
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
  file.configs['edge'] = { name: `${stack}-edge`, file: './edge.py' };
  for (const service of Object.values(file.services)) service.deploy = { ...service.deploy, endpoint_mode: 'dnsrr' };
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
    'every service of the stack to run (nginx and the edge on all three nodes)',
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
        lines.length === 6 &&
        lines.every((line) => /\s(\d+)\/\1\b/.test(line)) &&
        lines.filter((line) => line.endsWith(' 3/3')).length === 2;
      if (!running) throw new Error(lines.join(', '));
      return true;
    },
    { timeoutMs: 360_000, intervalMs: 1_000 },
  );
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

/** The running nginx tasks: node (hostname) and address on the stack's overlay network, by node. */
export async function runningNginxAddresses(nodes: SwarmNodes, service: string): Promise<Array<{ node: string; ip: string }>> {
  const running = (await nginxTasks(nodes, service)).filter((task) => task.desired === 'Running' && task.state === 'Running');
  const addresses: Array<{ node: string; ip: string }> = [];
  for (const task of running) {
    const attachments = JSON.parse(await onManager(nodes, ['inspect', task.id, '--format', '{{json .NetworksAttachments}}'])) as Array<{
      Network: { Spec: { Name: string } };
      Addresses: string[];
    }>;
    const overlay = attachments.find((attachment) => attachment.Network.Spec.Name !== 'ingress');
    addresses.push({ node: task.node, ip: (overlay?.Addresses[0] ?? '').split('/')[0] as string });
  }
  return addresses.sort((a, b) => a.node.localeCompare(b.node));
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

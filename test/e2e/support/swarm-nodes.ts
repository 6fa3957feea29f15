// A real multi-node Docker Swarm on this one machine, for test/e2e/swarm-multi-node.test.ts: three Docker engines,
// each in a container of the swarm-node stand-in image (every capability but one: see docs/swarm.md) (Debian's docker.io), on an internal network of the
// host engine, joined as one manager and two workers. The host drives the manager through a Unix socket its engine
// also listens on, in a folder mounted from the host (no port is published). Images reach the nested engines by
// `docker save | docker load` (no registry), each node only the images it runs.
//
// Everything the host engine holds for it is named PREFIX-... and labelled certkit-test.swarm-nodes=PREFIX, and removed
// by removeSwarmNodes (also after a failure part way).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker as dockerWith } from '../../../bench/swarm-bed.js';
import { waitUntil } from './wait.js';

export interface SwarmNode {
  /** The node's container on the host engine, also its hostname (the name `docker node ls` shows). */
  container: string;
  /** Its address on the internal network: where its engine advertises itself and publishes nginx's ports. */
  ip: string;
  role: 'manager' | 'worker';
}

export interface SwarmNodes {
  prefix: string;
  network: string;
  /** Folder on the host holding the manager's socket. */
  socketDir: string;
  /** DOCKER_HOST for the manager's engine. */
  dockerHost: string;
  manager: SwarmNode;
  workers: SwarmNode[];
  /** Seconds each node took to load its images, by container name. */
  loadSeconds: Record<string, number>;
}

const LABEL = 'certkit-test.swarm-nodes';

// The host engine, as the environment named it when this module loaded (a test points DOCKER_HOST at the manager).
const HOST_ENV = { ...process.env };
const docker = (args: string[], options: { timeoutMs?: number } = {}): Promise<string> => dockerWith(args, { ...options, env: HOST_ENV });

/**
 * What a nested engine needs, short of `--privileged`: that asks runc for every capability, and this machine's VM
 * starts its init (so dockerd and runc) without CAP_SYS_RESOURCE in the bounding set, so runc fails with "unable to
 * apply caps: operation not permitted". Every other capability, no seccomp or AppArmor profile, /proc unmasked; the
 * node's entrypoint remounts /sys and the cgroup hierarchies writable, as --privileged would have.
 */
const NEAR_PRIVILEGED = [
  '--cap-add',
  'ALL',
  '--cap-drop',
  'SYS_RESOURCE',
  '--security-opt',
  'seccomp=unconfined',
  '--security-opt',
  'apparmor=unconfined',
  '--security-opt',
  'systempaths=unconfined',
];

/** The names only; start with startSwarmNodes. Kept apart so a failed start is still removed. */
export function planSwarmNodes(prefix: string): SwarmNodes {
  const node = (index: number, role: SwarmNode['role']): SwarmNode => ({ container: `${prefix}-n${index}`, ip: '', role });
  return {
    prefix,
    network: `${prefix}-net`,
    socketDir: '',
    dockerHost: '',
    manager: node(1, 'manager'),
    workers: [node(2, 'worker'), node(3, 'worker')],
    loadSeconds: {},
  };
}

export const allNodes = (nodes: SwarmNodes): SwarmNode[] => [nodes.manager, ...nodes.workers];

/** docker on the manager's engine (through its socket on the host). */
export const onManager = (
  nodes: SwarmNodes,
  args: string[],
  timeoutMs = 120_000,
  env: Record<string, string | undefined> = {},
): Promise<string> => dockerWith(args, { timeoutMs, env: { ...HOST_ENV, ...env, DOCKER_HOST: nodes.dockerHost } });

/** A command inside a node's container (its own docker CLI talks to its own engine). */
export const inNode = (node: SwarmNode, argv: string[], timeoutMs = 120_000): Promise<string> =>
  docker(['exec', node.container, ...argv], { timeoutMs });

/**
 * Starts the three engines, joins them, and loads the images: `managerImages` into the manager, `workerImages` into
 * each worker.
 */
export async function startSwarmNodes(
  nodes: SwarmNodes,
  options: { nodeImage: string; managerImages: string[]; workerImages: string[] },
): Promise<SwarmNodes> {
  nodes.socketDir = await mkdtemp(join(tmpdir(), `${nodes.prefix}-`));
  nodes.dockerHost = `unix://${join(nodes.socketDir, 'docker.sock')}`;
  // Internal: nothing in the nodes (nor their tasks) reaches beyond this machine.
  await docker(['network', 'create', '--internal', '--label', `${LABEL}=${nodes.prefix}`, nodes.network]);
  for (const node of allNodes(nodes)) {
    await docker([
      'run',
      '-d',
      ...NEAR_PRIVILEGED,
      '--name',
      node.container,
      '--hostname',
      node.container,
      '--label',
      `${LABEL}=${nodes.prefix}`,
      '--network',
      nodes.network,
      '--memory',
      node.role === 'manager' ? '2g' : '1g',
      '--pids-limit',
      '2048',
      // No registry is reachable from the nodes: without this, every task's start (Swarm's executor, in `preparing`)
      // first waits for a pull that can only fail, 10-30 s of DNS timeouts on the internal network (moby's own swarm
      // tests set it on their engines too). The images are loaded into each node below.
      '-e',
      'DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1',
      '-v',
      `${node.container}-lib:/var/lib/docker`,
      ...(node.role === 'manager' ? ['-v', `${nodes.socketDir}:/run/certkit-node`] : []),
      options.nodeImage,
    ]);
  }
  for (const node of allNodes(nodes)) {
    node.ip = (
      await docker(['inspect', node.container, '--format', `{{(index .NetworkSettings.Networks "${nodes.network}").IPAddress}}`])
    ).trim();
    await waitUntil(
      `the engine in ${node.container}`,
      async () => (await inNode(node, ['docker', 'info', '--format', '{{.ServerVersion}}'])).trim() || undefined,
      {
        timeoutMs: 60_000,
      },
    );
  }
  await waitUntil(
    'the manager socket on the host',
    async () => (await onManager(nodes, ['version', '--format', '{{.Server.Version}}'])).trim() || undefined,
    {
      timeoutMs: 30_000,
    },
  );

  await inNode(nodes.manager, [
    'docker',
    'swarm',
    'init',
    '--advertise-addr',
    nodes.manager.ip,
    '--listen-addr',
    `${nodes.manager.ip}:2377`,
  ]);
  const token = (await inNode(nodes.manager, ['docker', 'swarm', 'join-token', '-q', 'worker'])).trim();
  for (const worker of nodes.workers)
    await inNode(worker, ['docker', 'swarm', 'join', '--advertise-addr', worker.ip, '--token', token, `${nodes.manager.ip}:2377`]);
  await waitUntil(
    'three nodes ready in the swarm',
    async () => {
      const states = (await onManager(nodes, ['node', 'ls', '--format', '{{.Hostname}} {{.Status}}'])).trim().split('\n');
      return states.length === 3 && states.every((line) => line.endsWith(' Ready')) ? true : undefined;
    },
    { timeoutMs: 60_000 },
  );

  for (const node of allNodes(nodes)) {
    const started = Date.now();
    await loadImages(node, node.role === 'manager' ? options.managerImages : options.workerImages);
    nodes.loadSeconds[node.container] = Math.round((Date.now() - started) / 100) / 10;
  }
  return nodes;
}

/** `docker save IMAGES | docker exec -i NODE docker load`, bounded. One save per node: the stand-ins share a base layer. */
function loadImages(node: SwarmNode, images: string[], timeoutMs = 300_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const save = spawn('docker', ['save', ...images], { stdio: ['ignore', 'pipe', 'pipe'], env: HOST_ENV });
    const load = spawn('docker', ['exec', '-i', node.container, 'docker', 'load', '-q'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: HOST_ENV,
    });
    let errors = '';
    save.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    load.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    save.stdout.pipe(load.stdin);
    const timer = setTimeout(() => {
      save.kill();
      load.kill();
    }, timeoutMs);
    let saved: number | null = null;
    save.on('close', (code) => (saved = code));
    load.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0 && saved === 0) resolve();
      else reject(new Error(`loading ${images.join(' ')} into ${node.container} failed (save ${saved}, load ${code}): ${errors.trim()}`));
    });
  });
}

/** Restarts a node's engine (not its container): dockerd stops its containers, and the node's loop starts it again. */
export async function restartEngine(node: SwarmNode): Promise<void> {
  await inNode(node, ['/bin/sh', '-c', 'kill -TERM "$(cat /var/run/docker.pid)"']);
}

/** Removes the nodes (with their engines' volumes), the network and the socket folder; never throws. */
export async function removeSwarmNodes(nodes: SwarmNodes): Promise<void> {
  const containers = allNodes(nodes).map((node) => node.container);
  await docker(['rm', '-f', '-v', ...containers], { timeoutMs: 120_000 }).catch(() => undefined);
  await docker(['volume', 'rm', '-f', ...containers.map((name) => `${name}-lib`)]).catch(() => undefined);
  await docker(['network', 'rm', nodes.network]).catch(() => undefined);
  if (nodes.socketDir) await rm(nodes.socketDir, { recursive: true, force: true });
}

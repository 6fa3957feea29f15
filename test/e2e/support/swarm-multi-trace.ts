import { appendFile, writeFile } from 'node:fs/promises';
import { inNode, onManager, type SwarmNode, type SwarmNodes } from './swarm-nodes.js';

const ask = (nodes: SwarmNodes, args: string[]): Promise<string> =>
  onManager(nodes, args, 20_000).catch((error: Error) => `(${error.message.slice(0, 200)})\n`);

/**
 * The manager's view of the nginx service, for a wait that ran out (and the trace): every task with its node, desired
 * and current state and error; the nodes; the service's UpdateStatus; and the watched node's Spec and Status.
 */
export async function swarmView(nodes: SwarmNodes, service: string, watched: SwarmNode | undefined): Promise<string> {
  const tasks = await ask(nodes, [
    'service',
    'ps',
    service,
    '--no-trunc',
    '--format',
    '{{.ID}} {{.Node}} desired={{.DesiredState}} current={{.CurrentState}} error={{.Error}}',
  ]);
  const nodeList = await ask(nodes, ['node', 'ls', '--format', '{{.ID}} {{.Hostname}} {{.Status}} {{.Availability}} {{.ManagerStatus}}']);
  const update = await ask(nodes, [
    'service',
    'inspect',
    service,
    '--format',
    'version={{.Version.Index}} update={{json .UpdateStatus}} previous={{if .PreviousSpec}}yes{{else}}no{{end}}',
  ]);
  const node = watched
    ? await ask(nodes, [
        'node',
        'inspect',
        watched.container,
        '--format',
        'version={{.Version.Index}} spec={{json .Spec}} status={{json .Status}}',
      ])
    : '';
  return `tasks:\n${tasks}nodes:\n${nodeList}service: ${update}${watched ? `node ${watched.container}: ${node}` : ''}`;
}

/** A wait whose error, when it runs out, carries the manager's view (swarmView), so the failure tells its cause. */
export async function explained<T>(wait: Promise<T>, view: () => Promise<string>): Promise<T> {
  try {
    return await wait;
  } catch (error) {
    throw new Error(`${(error as Error).message}\nthe manager's view:\n${await view()}`, { cause: error });
  }
}

/**
 * Opt-in (CERTKIT_TEST_MULTINODE_TRACE=FILE): what Swarm's manager says every 3 s from a drain on (swarmView), and
 * certkit's log lines since the last snapshot, appended to FILE; the manager's engine logs at debug level meanwhile,
 * and `stop` copies its log to FILE.manager-dockerd.log (each worker's, at its own level, to FILE.NODE-dockerd.log). How a stalled rollout or a task not placed is read.
 */
export function traceSwarm(
  nodes: SwarmNodes,
  service: string,
  watched: SwarmNode,
  file: string | undefined,
  takeLog: () => string,
): { stop: () => Promise<void> } {
  if (!file) return { stop: async () => undefined };
  let running = true;
  // The engine reloads daemon.json on SIGHUP; debug is one of the settings it takes without a restart.
  const debug = (on: boolean): Promise<unknown> =>
    inNode(nodes.manager, [
      '/bin/sh',
      '-c',
      `mkdir -p /etc/docker && printf '{"debug": ${on}}' > /etc/docker/daemon.json && kill -HUP "$(cat /var/run/docker.pid)"`,
    ]).catch(() => undefined);
  const snapshot = async (): Promise<void> => {
    const view = await swarmView(nodes, service, watched);
    await appendFile(file, `--- ${new Date().toISOString()}\n${view}certkit:\n${takeLog()}`);
  };
  const loop = (async () => {
    await debug(true);
    // Bounded: at most 600 snapshots (the steps it watches are bounded well below that).
    for (let i = 0; running && i < 600; i += 1) {
      await snapshot();
      await new Promise((resolve) => setTimeout(resolve, 3_000));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      await snapshot();
      await debug(false);
      for (const node of [nodes.manager, ...nodes.workers]) {
        const log = await inNode(node, ['cat', '/var/log/dockerd.log'], 60_000).catch((error: Error) => error.message);
        await writeFile(`${file}.${node.role === 'manager' ? 'manager' : node.container}-dockerd.log`, log);
      }
    },
  };
}

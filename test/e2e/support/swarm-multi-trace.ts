import { appendFile } from 'node:fs/promises';
import { onManager, type SwarmNodes } from './swarm-nodes.js';

/**
 * Opt-in (CERTKIT_TEST_MULTINODE_TRACE=FILE): what Swarm's manager says every few seconds while a rotation runs (the
 * service's UpdateStatus, every nginx task with its node, desired and current state and error, every node's state
 * and availability) and certkit's log lines since the last snapshot, appended to FILE. How a stalled rollout is read.
 */
export function traceSwarm(
  nodes: SwarmNodes,
  service: string,
  file: string | undefined,
  takeLog: () => string,
): { stop: () => Promise<void> } {
  if (!file) return { stop: async () => undefined };
  let running = true;
  const snapshot = async (): Promise<void> => {
    const ask = (args: string[]) => onManager(nodes, args, 20_000).catch((error: Error) => `(${error.message.slice(0, 200)})\n`);
    const update = await ask([
      'service',
      'inspect',
      service,
      '--format',
      '{{if .UpdateStatus}}{{.UpdateStatus.State}} {{.UpdateStatus.Message}}{{end}}',
    ]);
    const tasks = await ask([
      'service',
      'ps',
      service,
      '--no-trunc',
      '--format',
      '{{.ID}} {{.Node}} desired={{.DesiredState}} current={{.CurrentState}} error={{.Error}}',
    ]);
    const nodeList = await ask(['node', 'ls', '--format', '{{.Hostname}} {{.Status}} {{.Availability}}']);
    await appendFile(file, `--- ${new Date().toISOString()}\nupdate: ${update}tasks:\n${tasks}nodes:\n${nodeList}certkit:\n${takeLog()}`);
  };
  const loop = (async () => {
    // Bounded: at most 600 snapshots (the rotation it watches is bounded well below that).
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
    },
  };
}

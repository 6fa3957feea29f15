import type { NodeState } from './rollout-failure.js';
import type { TaskView } from './rotation-plan.js';

/**
 * Pure: the nodes a global nginx service should run a task on and does not. Swarm's global mode means one task on
 * every node that is ready, active (not drained nor paused) and matches the service's placement constraints; a node
 * like that without any task meant to run serves none of the sites to the clients it receives, whatever every other
 * replica serves. Swarm places the task again when it takes a node back (a drain lifted, an engine back), but a
 * replica report that only looks at the tasks that exist would say all is well meanwhile: this names each such node.
 *
 * Constraints certkit cannot evaluate here (engine labels, a node field it is not given) leave a node unjudged:
 * never a problem named on a guess.
 */
export interface CoverageInput {
  service: string;
  /** The service's placement constraints, as Swarm holds them (`node.role == worker`). */
  constraints: readonly string[];
  tasks: readonly TaskView[];
  nodes: ReadonlyMap<string, NodeState>;
}

export function uncoveredNodes(input: CoverageInput): string[] {
  const covered = new Set(input.tasks.filter((task) => task.desiredState === 'running').map((task) => task.nodeId));
  const problems: string[] = [];
  for (const [id, node] of [...input.nodes].sort(([, a], [, b]) => a.hostname.localeCompare(b.hostname))) {
    if (node.state !== 'ready' || node.availability !== 'active' || covered.has(id)) continue;
    if (matchesConstraints(input.constraints, id, node) !== true) continue;
    problems.push(
      `node ${node.hostname} (ready, active) runs no task of the global service ${input.service}: it serves none of the sites to the clients it receives; Swarm should place one there (see \`docker service ps ${input.service} --no-trunc\`; \`docker service update --force ${input.service}\` makes Swarm reconcile every node, restarting each task in turn)`,
    );
  }
  return problems;
}

const CONSTRAINT = /^\s*([A-Za-z0-9_.-]+)\s*(==|!=)\s*(.*?)\s*$/;

/** Whether a node matches every constraint; undefined when one names a field not known here. */
export function matchesConstraints(constraints: readonly string[], id: string, node: NodeState): boolean | undefined {
  let verdict: boolean | undefined = true;
  for (const constraint of constraints) {
    const match = CONSTRAINT.exec(constraint);
    if (!match) return undefined;
    const [, key = '', operator, wanted = ''] = match;
    const actual = nodeField(key, id, node);
    if (actual === undefined) {
      verdict = undefined;
      continue;
    }
    // A label the node lacks equals nothing (`==` fails, `!=` holds), as in Swarm; fields compare without case.
    const equal = actual !== null && actual.toLowerCase() === wanted.toLowerCase();
    if (equal !== (operator === '==')) return false;
  }
  return verdict;
}

/** The node's value for a constraint's key: null for a label it lacks, undefined for a key not known here. */
function nodeField(key: string, id: string, node: NodeState): string | null | undefined {
  if (key === 'node.id') return id;
  if (key === 'node.hostname') return node.hostname;
  if (key === 'node.role') return node.role;
  if (key.startsWith('node.labels.')) {
    if (!node.labels) return undefined;
    return node.labels[key.slice('node.labels.'.length)] ?? null;
  }
  return undefined;
}

import { describe, expect, it } from 'vitest';
import { matchesConstraints, uncoveredNodes } from '../../../src/swarm/global-coverage.js';
import { replicaStatus } from '../../../src/swarm/replica-status.js';
import type { NodeState } from '../../../src/swarm/rollout-failure.js';
import { NEW_WEB, pendingOnDrained, task } from './swarm.fixtures.js';

const node = (hostname: string, extra: Partial<NodeState> = {}): NodeState => ({
  hostname,
  availability: 'active',
  state: 'ready',
  role: 'worker',
  labels: {},
  ...extra,
});
// Three nodes as the multi-node e2e test has them: a manager and two workers.
const nodes = (worker2: Partial<NodeState> = {}): Map<string, NodeState> =>
  new Map([
    ['node1', node('mn-n1', { role: 'manager' })],
    ['node2', node('mn-n2', worker2)],
    ['node3', node('mn-n3', { labels: { edge: 'yes' } })],
  ]);
const runningOn = (nodeId: string, id = `t-${nodeId}`) => task(id, [NEW_WEB.id], { nodeId, slot: undefined });

describe('uncoveredNodes', () => {
  it('names a ready, active node without a task meant to run (a drained worker made active again, not yet placed)', () => {
    const problems = uncoveredNodes({
      service: 'st_nginx',
      constraints: [],
      // node2's last tasks: the one stopped at the drain, and the update's new one told to stop while pending there.
      tasks: [
        runningOn('node1'),
        runningOn('node3'),
        task('old', [NEW_WEB.id], { nodeId: 'node2', desiredState: 'shutdown', state: 'shutdown' }),
        pendingOnDrained('p', [NEW_WEB.id]),
      ],
      nodes: nodes(),
    });
    expect(problems).toEqual([
      'node mn-n2 (ready, active) runs no task of the global service st_nginx: it serves none of the sites to the clients it receives; Swarm should place one there (see `docker service ps st_nginx --no-trunc`; `docker service update --force st_nginx` makes Swarm reconcile every node, restarting each task in turn)',
    ]);
  });

  it('is content with a task meant to run that is still starting, and with drained, paused or down nodes', () => {
    const starting = task('s', [NEW_WEB.id], { nodeId: 'node2', state: 'preparing' });
    expect(
      uncoveredNodes({ service: 's', constraints: [], tasks: [runningOn('node1'), runningOn('node3'), starting], nodes: nodes() }),
    ).toEqual([]);
    for (const worker2 of [{ availability: 'drain' }, { availability: 'pause' }, { state: 'down' }])
      expect(
        uncoveredNodes({ service: 's', constraints: [], tasks: [runningOn('node1'), runningOn('node3')], nodes: nodes(worker2) }),
      ).toEqual([]);
  });

  it('judges only the nodes the placement constraints allow, and none on a constraint it cannot evaluate', () => {
    const tasks = [runningOn('node2')];
    const names = (constraints: string[]) =>
      uncoveredNodes({ service: 's', constraints, tasks, nodes: nodes() }).map((problem) => problem.split(' (')[0]);
    expect(names(['node.role == worker'])).toEqual(['node mn-n3']);
    expect(names(['node.role != worker'])).toEqual(['node mn-n1']);
    expect(names(['node.labels.edge == yes'])).toEqual(['node mn-n3']);
    expect(names(['node.labels.edge != yes', 'node.hostname == MN-N1'])).toEqual(['node mn-n1']);
    expect(names(['engine.labels.zone == a'])).toEqual([]);
    expect(names(['node.platform.os == linux', 'node.role == worker'])).toEqual([]);
  });
});

describe('matchesConstraints', () => {
  it('evaluates node.id, hostname, role and labels; undefined where a field is unknown or the node has no labels given', () => {
    const worker = node('w1', { labels: { zone: 'a' } });
    expect(matchesConstraints(['node.id == n9'], 'n9', worker)).toBe(true);
    expect(matchesConstraints(['node.labels.zone == b'], 'n9', worker)).toBe(false);
    expect(matchesConstraints(['node.labels.rack != 3'], 'n9', worker)).toBe(true);
    expect(matchesConstraints(['node.role == worker'], 'n9', { hostname: 'x', availability: 'active', state: 'ready' })).toBeUndefined();
    expect(matchesConstraints(['node.labels.zone == a'], 'n9', { hostname: 'x', availability: 'active', state: 'ready' })).toBeUndefined();
    expect(matchesConstraints(['not a constraint'], 'n9', worker)).toBeUndefined();
  });
});

describe('replicaStatus of a global service', () => {
  it('names an eligible node without a task among the problems, though every task that exists serves the newest version', () => {
    const mount = (nodeId: string) =>
      task(`t-${nodeId}`, [NEW_WEB.id], {
        nodeId,
        slot: undefined,
        mounts: [{ secretId: NEW_WEB.id, secretName: NEW_WEB.name, target: 'certkit-web.pem' }],
      });
    const report = replicaStatus({
      service: {
        name: 'st_nginx',
        replicas: undefined,
        global: true,
        constraints: [],
        secrets: [{ secretId: NEW_WEB.id, secretName: NEW_WEB.name, target: 'certkit-web.pem', uid: '0', gid: '0', mode: 0o400 }],
        updateState: 'completed',
        updateMessage: undefined,
      },
      tasks: [mount('node1'), mount('node3')],
      secrets: [NEW_WEB],
      nodes: nodes(),
      nodeNames: new Map([...nodes()].map(([id, state]) => [id, state.hostname])),
    });
    expect(report.rows.map((row) => [row.replica, row.problem])).toEqual([
      ['st_nginx@mn-n1', null],
      ['st_nginx@mn-n3', null],
    ]);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toMatch(/^node mn-n2 \(ready, active\) runs no task of the global service st_nginx/);
  });
});

import { describe, expect, it } from 'vitest';
import { replicaStatus, type ReplicaInput, type ServedCheck, type StackSecret } from '../../../src/swarm/replica-status.js';
import type { SecretRef, TaskView } from '../../../src/swarm/rotation-plan.js';
import { task } from './swarm.fixtures.js';

const version = (id: string, site: string, serial: string, createdAt: string): StackSecret => ({
  id,
  name: `st-${site}-${id}`,
  createdAt,
  labels: { 'certkit.stack': 'st', 'certkit.site': site, 'certkit.serial': serial, 'certkit.not-after': '2027-01-01T00:00:00.000Z' },
});
const OLD = version('v1', 'web', 'aa01', '2026-12-01T10:00:00.123456789Z');
const NEW = version('v2', 'web', 'bb02', '2026-12-03T10:00:00.5Z');
const ref = (secret: StackSecret): SecretRef => ({
  secretId: secret.id,
  secretName: secret.name,
  target: `certkit-${secret.labels['certkit.site'] ?? ''}.pem`,
  uid: '0',
  gid: '0',
  mode: 0o400,
});
/** A task mounting these versions under their sites' file names. */
const on = (id: string, slot: number, secrets: StackSecret[], extra: Partial<TaskView> = {}): TaskView =>
  task(
    id,
    secrets.map((secret) => secret.id),
    {
      slot,
      mounts: secrets.map((secret) => ({ secretId: secret.id, secretName: secret.name, target: ref(secret).target })),
      ...extra,
    },
  );
const input = (over: Partial<ReplicaInput>): ReplicaInput => ({
  service: { name: 'st_nginx', replicas: 2, secrets: [ref(NEW)], updateState: 'completed', updateMessage: undefined },
  tasks: [],
  secrets: [OLD, NEW],
  nodeNames: new Map([['node1', 'manager-1']]),
  ...over,
});

describe('replicaStatus', () => {
  it('every replica on the newest version: one row per site and replica, no problem', () => {
    const report = replicaStatus(input({ tasks: [on('t2', 2, [NEW]), on('t1', 1, [NEW])] }));
    expect(report.problems).toEqual([]);
    expect(report.rows.map((row) => [row.site, row.replica, row.node, row.mounted?.name, row.current?.serial, row.problem])).toEqual([
      ['web', 'st_nginx.1', 'manager-1', 'st-web-v2', 'bb02', null],
      ['web', 'st_nginx.2', 'manager-1', 'st-web-v2', 'bb02', null],
    ]);
  });

  it('mid-rotation: names the replica still on the old version, its node and both versions; stopping tasks are not replicas', () => {
    const report = replicaStatus(
      input({
        service: { name: 'st_nginx', replicas: 2, secrets: [ref(NEW)], updateState: 'updating', updateMessage: 'update in progress' },
        tasks: [
          on('t1new', 1, [NEW]),
          on('t1old', 1, [OLD], { desiredState: 'shutdown', state: 'running' }),
          on('t2old', 2, [OLD], { nodeId: 'node2' }),
        ],
      }),
    );
    const problems = report.rows.filter((row) => row.problem !== null);
    expect(report.rows).toHaveLength(2);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.problem).toBe(
      'replica st_nginx.2 (task t2old, node node2) is still on st-web-v1 (serial aa01) for site web; it should have st-web-v2 (serial bb02)',
    );
    expect(report.problems).toEqual([]);
  });

  it('a task on a removed version: named by the name its spec kept', () => {
    const gone = { secretId: 'v0', secretName: 'st-web-v0', target: 'certkit-web.pem' };
    const report = replicaStatus(input({ tasks: [on('t1', 1, [NEW]), task('t2', ['v0'], { slot: 2, mounts: [gone] })] }));
    const row = report.rows.find((entry) => entry.replica === 'st_nginx.2');
    expect(row?.mounted).toEqual({ name: 'st-web-v0', serial: null, removed: true });
    expect(row?.problem).toMatch(
      /st_nginx\.2 .* mounts st-web-v0 for site web, a version since removed; it should have st-web-v2 \(serial bb02\)/,
    );
  });

  it('a task with no secret: it refuses the handshakes, and the fix is a rotation', () => {
    const report = replicaStatus(input({ tasks: [on('t1', 1, [])], service: { ...input({}).service, replicas: 1, secrets: [] } }));
    expect(report.rows).toHaveLength(1);
    expect(report.rows[0]?.mounted).toBeNull();
    expect(report.rows[0]?.problem).toMatch(/mounts no version of site web .*should have st-web-v2 \(serial bb02\).*next rotation/);
  });

  it('a declared site with no version yet is a row per replica, with its problem', () => {
    const report = replicaStatus(input({ sites: ['shop', 'web'], tasks: [on('t1', 1, [NEW]), on('t2', 2, [NEW])] }));
    const shop = report.rows.filter((row) => row.site === 'shop');
    expect(shop).toHaveLength(2);
    expect(shop[0]?.current).toBeNull();
    expect(shop[0]?.problem).toMatch(/site shop has no secret version yet: replica st_nginx\.1 .* refuses its HTTPS handshakes/);
    expect(report.rows.filter((row) => row.site === 'web' && row.problem !== null)).toEqual([]);
  });

  it('the newest version is the one created last, even when the spec still names the old one (a rollback)', () => {
    const report = replicaStatus(
      input({
        service: { name: 'st_nginx', replicas: 1, secrets: [ref(OLD)], updateState: 'rollback_completed', updateMessage: 'rolled back' },
        tasks: [on('t1', 1, [OLD])],
      }),
    );
    expect(report.rows[0]?.problem).toMatch(/still on st-web-v1 .* should have st-web-v2/);
    expect(report.problems).toEqual([
      'site web: the service st_nginx names version st-web-v1, but st-web-v2 is newer: a rotation that rolled back or was paused; run it again (`certkit update web`)',
      "Swarm's last update of st_nginx is rollback_completed (rolled back)",
    ]);
  });

  it('a handshake that presents another serial than the mounted version is a problem (the file is not what nginx serves)', () => {
    const served = new Map<string, Map<string, ServedCheck>>([
      ['t1', new Map([['web', { serial: 'bb02' }]])],
      ['t2', new Map([['web', { serial: 'aa01' }]])],
    ]);
    const report = replicaStatus(input({ tasks: [on('t1', 1, [NEW]), on('t2', 2, [NEW])], served }));
    expect(report.rows.map((row) => row.served)).toEqual(['bb02', 'aa01']);
    expect(report.rows[0]?.problem).toBeNull();
    expect(report.rows[1]?.problem).toMatch(
      /serves serial aa01 for site web although it mounts st-web-v2; it should have st-web-v2 \(serial bb02\)/,
    );
  });

  it('a failed handshake and a task still starting are problems; a replica missing is one for the service', () => {
    const served = new Map<string, Map<string, ServedCheck>>([['t1', new Map([['web', { error: 'ECONNREFUSED' }]])]]);
    const report = replicaStatus(
      input({
        service: { ...input({}).service, replicas: 3 },
        tasks: [on('t1', 1, [NEW]), on('t2', 2, [NEW], { state: 'starting' })],
        served,
      }),
    );
    expect(report.rows[0]?.served).toBeNull();
    expect(report.rows[0]?.problem).toMatch(/handshake for site web failed \(ECONNREFUSED\)/);
    expect(report.rows[1]?.problem).toMatch(/is starting, not serving yet/);
    expect(report.problems).toEqual(['the service st_nginx has 2 of 3 replicas scheduled']);
  });

  it('a global service names replicas by node; no task at all is a problem', () => {
    const global = replicaStatus(
      input({ service: { ...input({}).service, replicas: undefined }, tasks: [on('g1', 0, [NEW], { slot: undefined })] }),
    );
    expect(global.rows[0]?.replica).toBe('st_nginx@manager-1');
    const none = replicaStatus(input({ tasks: [] }));
    expect(none.rows).toEqual([]);
    expect(none.problems).toContain('no task of the service st_nginx is meant to run: nothing serves the sites');
  });
});

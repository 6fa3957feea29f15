import { describe, expect, it } from 'vitest';
import { collectSites } from '../../../src/sites/collect-sites.js';
import { formatSiteRows } from '../../../src/sites/site-rows.js';
import { parseSitesFile } from '../../../src/sites/sites-file.js';
import { describeRefusal } from '../../../src/sites/site.js';
import { replicaStatus, type StackSecret } from '../../../src/swarm/replica-status.js';
import { stackServiceDeclarations } from '../../../src/swarm/stack-sites.js';
import { sitesFileOnSwarm, swarmSiteRows } from '../../../src/swarm/swarm-site-rows.js';
import type { StackService } from '../../../src/swarm/swarm-api.js';
import { statusEntry } from '../support/status-entry.js';
import { NEW_WEB, OLD_WEB, task, twoReplicaReport } from './swarm.fixtures.js';

const defaults = { keyType: { type: 'ecdsa', curve: 'secp256r1' } as const, profile: undefined, dns: undefined };
const service = (short: string, labels: Record<string, string>): StackService => ({
  id: `id-${short}`,
  name: `st_${short}`,
  short,
  labels,
});

/** Site `web` from st_web's deploy.labels, and a refused label on st_wiki. */
const set = () =>
  collectSites(
    undefined,
    stackServiceDeclarations('st', [
      service('nginx', {}),
      service('web', { 'certkit.host': 'web.test', 'certkit.port': '3000', 'certkit.site': 'web' }),
      service('wiki', { 'certkit.host': 'wiki.test', 'certkit.prot': '80' }),
    ]),
    defaults,
  );
const inStore = (serial: string) => [statusEntry({ name: 'web', domains: ['web.test'], serial, deployed: 'unknown', served: null })];

/** st_nginx with two replicas, each mounting `mounted` (or nothing), the spec naming `spec`, the stack's versions `secrets`. */
function report(secrets: StackSecret[], spec: StackSecret | undefined, mounted: StackSecret | undefined) {
  const ref = (version: StackSecret) => ({ secretId: version.id, secretName: version.name, target: 'certkit-web.pem' });
  return replicaStatus({
    service: {
      name: 'st_nginx',
      replicas: 2,
      secrets: spec ? [{ ...ref(spec), uid: '0', gid: '0', mode: 0o400 }] : [],
      updateState: spec && spec !== secrets.at(-1) ? 'rollback_completed' : 'completed',
      updateMessage: undefined,
    },
    tasks: [1, 2].map((slot) => task(`t${slot}`, mounted ? [mounted.id] : [], { slot, mounts: mounted ? [ref(mounted)] : [] })),
    secrets,
    sites: ['web'],
    nodeNames: new Map([['node1', 'manager-1']]),
  });
}

describe('certkit sites on Swarm: what each site waits for', () => {
  it('names the service and the label a site and a refused label come from', () => {
    const rows = swarmSiteRows(set(), inStore('bb02'), twoReplicaReport(NEW_WEB, { updateState: 'completed' }));
    expect(rows.map((row) => [row.site, row.state, row.declaredIn])).toEqual([
      ['web', 'serving', ['service st_web (deploy.labels certkit.host)']],
      ['-', 'refused', ['service st_wiki (deploy.labels certkit.prot)']],
    ]);
    expect(rows[0]?.detail).toBe('serial bb02, expires 2026-11-07T00:00:00.000Z, secret st-web-v2 on every replica of st_nginx (2)');
    expect(rows[1]?.detail).toMatch(/certkit\.prot="80".*did you mean certkit\.port/);
    expect(formatSiteRows(rows)).toContain('web   serving  web.test  service st_web (deploy.labels certkit.host)');
  });

  it('waits for issuance when the store has no certificate, whatever Swarm holds', () => {
    const [web] = swarmSiteRows(set(), [], report([], undefined, undefined));
    expect(web).toMatchObject({ state: 'not issued', detail: expect.stringMatching(/first certificate/) });
  });

  it('waits for a rotation when the store’s certificate is no secret version yet', () => {
    const [first] = swarmSiteRows(set(), inStore('bb02'), report([], undefined, undefined));
    expect(first).toMatchObject({
      state: 'rotation pending',
      detail:
        'serial bb02 is in the store, but the site has no secret version yet: the next check rotates it in (the daemon), or run `certkit update web`',
    });
    const [renewed] = swarmSiteRows(set(), inStore('cc03'), report([OLD_WEB, NEW_WEB], NEW_WEB, NEW_WEB));
    expect(renewed).toMatchObject({
      state: 'rotation pending',
      detail: expect.stringContaining('serial cc03 is in the store, but the newest secret version is st-web-v2 (serial bb02)'),
    });
  });

  it('waits for a rotation that rolled back: the service still names the old version', () => {
    const [web] = swarmSiteRows(set(), inStore('bb02'), report([OLD_WEB, NEW_WEB], OLD_WEB, OLD_WEB));
    expect(web).toMatchObject({
      state: 'rotation pending',
      detail: expect.stringMatching(/^the service st_nginx names version st-web-v1, but st-web-v2 is newer: .*certkit update web/),
    });
  });

  it('waits for a replica still on an old version, naming it, its node and both versions', () => {
    const [web] = swarmSiteRows(set(), inStore('bb02'), twoReplicaReport(OLD_WEB, { updateState: 'updating' }));
    expect(web?.state).toBe('rolling out');
    expect(web?.detail).toMatch(
      /^1 of 2 replicas of st_nginx serve st-web-v2; replica st_nginx\.2 \(task t2, node manager-1\) is still on st-web-v1 \(serial aa01\).*should have st-web-v2 \(serial bb02\)/,
    );
  });

  it('keeps a store problem as on Compose', () => {
    const entries = [statusEntry({ name: 'web', domains: ['web.test'], problems: ['live/web/cert.pem is missing'] })];
    const [web] = swarmSiteRows(set(), entries, report([NEW_WEB], NEW_WEB, NEW_WEB));
    expect(web).toMatchObject({ state: 'problem', detail: 'live/web/cert.pem is missing' });
  });
});

describe('the sites file on Swarm', () => {
  it('refuses each of its sites, naming the line, the site and the fix', () => {
    const found = parseSitesFile('sites.yaml', 'wiki:\n  host: wiki.example.com\n  upstream: http://10.0.0.2:80\n');
    const [refusal, ...rest] = sitesFileOnSwarm(found, 'st');
    expect(rest).toEqual([]);
    expect(describeRefusal(refusal!)).toBe(
      'site wiki: sites.yaml line 1: (the sites file)="wiki.example.com" is not read on Swarm (CERTKIT_SWARM_STACK=st): certkit\'s service gets .env alone. Declare the site by deploy.labels on a service of the stack (certkit.host, certkit.port; docs/swarm.md), or in .env',
    );
  });
});

import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import type { SiteRow } from '../../src/sites/site-rows.js';
import { useSwarmBed } from './support/swarm-suite.js';
import { runCommand } from './support/docker-cli.js';
import {
  APP_NAME,
  appService,
  servedSerials as served,
  storeSerial as serialIn,
  swarmCertkit,
  swarmEnv,
  WEB_SITE as WEB,
} from './support/swarm-sites.js';

const dockerMissing = inject('dockerMissing');

// `certkit sites`, `render`, `backup` and `restore` (the built CLI, CERTKIT_SWARM_STACK) on a single-node Swarm: the
// sites of .env and deploy.labels with what each waits for (a refused label and the sites file named with the fix),
// render's comparison with the nginx.conf the service runs, a backup of the certbot task's store (keys 0600), and a
// restore of it after a renewal, rotated back in by `certkit update`. The swarm is this engine's: initialised only if
// there was none, left only then.
describe.skipIf(dockerMissing !== '')('swarm: sites, render, backup and restore on the stack', () => {
  const suite = useSwarmBed({
    site: WEB,
    deploy: (images) => ({
      monitor: '2s',
      services: {
        app: appService(images['CERTKIT_NODE_IMAGE'], 'hello from the app\n'),
        // A misspelt label: refused for its site alone.
        wiki: appService(images['CERTKIT_NODE_IMAGE'], 'wiki\n', { 'certkit.host': 'wiki.swarm.certkit.test', 'certkit.prot': '80' }),
      },
    }),
    project: () => ({ '.env': swarmEnv(), 'sites.yaml': 'blog:\n  host: blog.swarm.certkit.test\n  upstream: http://10.0.0.2:80\n' }),
  });
  const certkit = (args: readonly string[]) => swarmCertkit(suite.project, suite.bed.name, 400_000)(args);
  const storeSerial = (certName: string) => serialIn(suite.bed, certName);
  const sites = async (): Promise<{ code: number; rows: Map<string, SiteRow>; all: SiteRow[] }> => {
    const result = await certkit(['sites', '--json']);
    const all = JSON.parse(result.stdout) as SiteRow[];
    return { code: result.code, rows: new Map(all.filter((row) => row.state !== 'refused').map((row) => [row.site, row])), all };
  };

  it('sites: both sites wait for issuance, the bad label and the sites file are refused with the fix', async () => {
    const { code, rows, all } = await sites();
    expect(code).toBe(1);
    expect(rows.get(WEB.id)).toMatchObject({ state: 'not issued', declaredIn: ['.env'] });
    expect(rows.get('app')).toMatchObject({
      state: 'not issued',
      names: [APP_NAME],
      declaredIn: [`service ${suite.bed.name}_app (deploy.labels certkit.host)`],
    });
    const refused = all.filter((row) => row.state === 'refused');
    expect(refused.map((row) => row.declaredIn[0])).toEqual([
      `service ${suite.bed.name}_wiki (deploy.labels certkit.prot)`,
      'sites.yaml line 1',
    ]);
    expect(refused[0]?.detail).toMatch(/certkit\.prot="80".*certkit\.port/);
    expect(refused[1]?.detail).toMatch(/is not read on Swarm .*deploy\.labels/);
    const table = await certkit(['sites']);
    expect(table.stdout).toMatch(/^app +not issued +app\.swarm\.certkit\.test +service \S+_app \(deploy\.labels certkit\.host\)$/m);
  });

  it('render --check: the nginx service runs the first deploy’s nginx.conf, without the labelled site', async () => {
    const result = await certkit(['render', '--check']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('a render would write swarm/nginx.conf, swarm/docker-proxy.cfg');
    expect(result.stdout).toMatch(new RegExp(`${suite.bed.name}_nginx runs config \\S+, which differs from this rendering`));
    expect(result.stdout).toMatch(/^ {2}\+\s+server_name app\.swarm\.certkit\.test;$/m);
    expect(result.stderr).toContain('site refused:');
  });

  it('after update: both sites serve on every replica; render finds the service on its rendering', async () => {
    const update = await certkit(['update']);
    expect(update.code, update.stderr).toBe(0);
    const { rows } = await sites();
    for (const id of [WEB.id, 'app']) {
      expect(rows.get(id)?.state, id).toBe('serving');
      expect(rows.get(id)?.detail).toMatch(new RegExp(`on every replica of ${suite.bed.name}_nginx \\(2\\)$`));
    }
    const rendered = await certkit(['render']);
    expect(rendered.code, rendered.stderr).toBe(0);
    expect(rendered.stdout).toContain('rendered swarm/nginx.conf, swarm/docker-proxy.cfg');
    expect(rendered.stdout).toContain(`${suite.bed.name}_nginx runs this rendering (config ${suite.bed.name}-nginx-`);
    expect(await readFile(join(suite.project, 'swarm', 'nginx.conf'), 'utf8')).toContain(`server_name ${APP_NAME};`);
  });

  let backup: string;
  it('backup: the certbot task’s store as on Compose, the file and the keys 0600, no key in the output', async () => {
    backup = join(suite.project, 'store.tar.gz');
    const result = await certkit(['backup', '-o', backup]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^wrote .*store\.tar\.gz: \d+ entries, 2 certificate\(s\)$/m);
    expect(result.stdout + result.stderr).not.toMatch(/PRIVATE KEY/);
    expect((await stat(backup)).mode & 0o777).toBe(0o600);
    const listing = await runCommand('tar', ['-tvzf', backup], { timeoutMs: 30_000 });
    const keys = listing.stdout.split('\n').filter((line) => / letsencrypt\/archive\/[^/]+\/privkey\d+\.pem$/.test(line));
    // Every key file of both sites (not live/'s symlinks to them), each 0600 as certbot wrote it.
    for (const site of ['web', 'app'])
      expect(
        keys.some((line) => line.includes(`archive/${site}/privkey`)),
        site,
      ).toBe(true);
    for (const line of keys) expect(line).toMatch(/^-rw------- /);
  });

  it('restore after a renewal: the old certificate is back in the store, waits for a rotation, and update rotates it in', async () => {
    const backedUp = await storeSerial('app');
    const renewal = await certkit(['update', '--force', 'app']);
    expect(renewal.code, renewal.stderr).toBe(0);
    const renewed = await storeSerial('app');
    expect(renewed).not.toBe(backedUp);

    const restore = await certkit(['restore', '--force', backup]);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toMatch(/restored \d+ entries, 2 certificate\(s\)/);
    expect(restore.stdout).toContain(
      `next: \`certkit update\` rotates each restored certificate into the nginx service of ${suite.bed.name}`,
    );
    expect(await storeSerial('app')).toBe(backedUp);
    const pending = (await sites()).rows.get('app');
    expect(pending?.state).toBe('rotation pending');
    expect(pending?.detail).toContain(`serial ${backedUp} is in the store, but the newest secret version is`);
    expect(pending?.detail).toContain(`(serial ${renewed})`);

    const update = await certkit(['update', 'app']);
    expect(update.code, update.stderr).toBe(0);
    expect(await served(suite.bed, APP_NAME)).toEqual([backedUp, backedUp]);
    expect((await sites()).rows.get('app')?.state).toBe('serving');
  });

  it('prune on the certbot task’s store: lists the older versions, removes them only with --yes, the served one untouched', async () => {
    const renewal = await certkit(['update', '--force', 'app']);
    expect(renewal.code, renewal.stderr).toBe(0);
    const current = await storeSerial('app');
    const listed = await certkit(['prune', '--keep', '1']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/would remove \d+ file\(s\)/);
    expect(listed.stdout).toMatch(/^ {2}archive\/app\/cert\d+\.pem$/m);
    const removed = await certkit(['prune', '--keep', '1', '--yes']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toMatch(/removed \d+ file\(s\)/);
    expect((await certkit(['prune', '--keep', '1'])).stdout).not.toMatch(/archive\/app\//);
    expect(await storeSerial('app')).toBe(current);
    expect(await served(suite.bed, APP_NAME)).toEqual([current, current]);
  });

  it('import, plugins and health (no --url) refuse on Swarm, naming CERTKIT_SWARM_STACK and what to run instead', async () => {
    for (const [args, instead] of [
      [['import', suite.project], /certkit restore/],
      [['plugins'], /certbot plugins/],
      [['health'], new RegExp(`docker service ps ${suite.bed.name}_certkit`)],
    ] as const) {
      const result = await certkit([...args]);
      expect(result.code, args[0]).toBe(2);
      expect(result.stderr).toContain(`certkit ${args[0]} works on a Compose stack only, and CERTKIT_SWARM_STACK=${suite.bed.name}`);
      expect(result.stderr).toMatch(instead);
    }
  });
});

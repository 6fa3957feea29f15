import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { docker } from '../../bench/swarm-bed.js';
import { runCommand, type CommandResult } from './support/docker-cli.js';
import {
  APP_NAME,
  appService,
  servedSerials as served,
  storeSerial as serialIn,
  swarmEnv,
  WEB_SITE as WEB,
} from './support/swarm-sites.js';
import { useSwarmBed } from './support/swarm-suite.js';
import { waitUntil } from './support/wait.js';

const dockerMissing = inject('dockerMissing');
const REPO = join(import.meta.dirname, '..', '..');

// `certkit update` (the built CLI) driving a single-node Swarm with CERTKIT_SWARM_STACK: an app service announces a
// site by deploy.labels; certkit renders nginx.conf for it (a new config version), issues both sites with Pebble over
// HTTP-01 through nginx, and rotates each certificate into every nginx replica as a secret; a forced renewal rotates
// to a new serial and removes the old version; a `docker stack deploy` again drops the secrets and the next update puts
// them back without a new certificate. The swarm is this engine's: initialised only if there was none, left only then.
describe.skipIf(dockerMissing !== '')('swarm: certkit update drives the stack', () => {
  const suite = useSwarmBed({
    site: WEB,
    deploy: (images) => ({ monitor: '2s', services: { app: appService(images['CERTKIT_NODE_IMAGE'], 'hello from the app\n') } }),
    project: (bed) => ({ '.env': swarmEnv([`CERTKIT_SWARM_STACK=${bed.name}`]) }),
  });
  const certkit = (args: string[]): Promise<CommandResult> =>
    runCommand(process.execPath, [join(REPO, 'bin/certkit.js'), ...args], {
      cwd: suite.project,
      env: { ...process.env, CI: '' },
      timeoutMs: 400_000,
    });
  const storeSerial = (certName: string) => serialIn(suite.bed, certName);
  const servedSerials = (name: string) => served(suite.bed, name);
  const secretsOf = async (site: string) =>
    (
      await docker([
        'secret',
        'ls',
        '--filter',
        `label=certkit.stack=${suite.bed.name}`,
        '--filter',
        `label=certkit.site=${site}`,
        '--format',
        '{{.Name}}',
      ])
    )
      .trim()
      .split('\n')
      .filter(Boolean)
      .sort();
  /** GET / over HTTPS from the certbot container to one replica, with the name as SNI and Host. */
  const httpsBody = (ip: string, name: string) =>
    suite.bed.certbotPython(`
import socket, ssl
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
with ctx.wrap_socket(socket.create_connection(("${ip}", 443), timeout=10), server_hostname="${name}") as tls:
    tls.sendall(b"GET / HTTP/1.1\\r\\nHost: ${name}\\r\\nConnection: close\\r\\n\\r\\n")
    data = b""
    while True:
        chunk = tls.recv(4096)
        if not chunk: break
        data += chunk
print(data.decode().split("\\r\\n\\r\\n", 1)[1], end="")
`);

  it('renders nginx.conf for the labelled site, issues both sites and every replica serves each', async () => {
    const result = await certkit(['update']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/nginx\.conf cks[0-9a-f]+-nginx-[0-9a-f]{12} \(rolled out\)/);
    expect(result.stdout).toMatch(/site app \(app\.swarm\.certkit\.test\): issued, serial [0-9a-f]+.*secret .* added to nginx/);
    expect(result.stdout).toMatch(/site web \(web\.swarm\.certkit\.test\): issued/);
    for (const [certName, name] of [
      ['web', WEB.names[0] as string],
      ['app', APP_NAME],
    ] as const) {
      const serial = await storeSerial(certName);
      expect(await servedSerials(name), name).toEqual([serial, serial]);
    }
    // The route from the service's labels: nginx proxies to STACK_app:3000.
    for (const replica of await suite.bed.servedByReplicas(APP_NAME))
      expect(await httpsBody(replica.ip, APP_NAME)).toBe('hello from the app\n');
    // The key never reaches the output.
    expect(result.stdout + result.stderr).not.toMatch(/PRIVATE KEY/);
    // Nothing new: a second run changes nothing.
    const again = await certkit(['update']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).not.toMatch(/rolled out|added|rotated|put back/);
  });

  it('a forced renewal rotates to a new serial on every replica and removes the old version', async () => {
    const before = { serial: await storeSerial('app'), secrets: await secretsOf('app') };
    expect(before.secrets).toHaveLength(1);
    const result = await certkit(['update', '--force', 'app']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/site app .*: renewed.*rotated into nginx; removed /);
    const serial = await storeSerial('app');
    expect(serial).not.toBe(before.serial);
    expect(await servedSerials(APP_NAME)).toEqual([serial, serial]);
    const after = await secretsOf('app');
    expect(after).toHaveLength(1);
    expect(after).not.toEqual(before.secrets);
  });

  /** Every task of the nginx service Swarm still lists (history too): id, slot, and when it was created. */
  const nginxTasks = async () =>
    (
      await docker([
        'inspect',
        '--format',
        '{{.ID}} {{.Slot}} {{.CreatedAt}}',
        ...(await docker(['service', 'ps', '-q', '--no-trunc', suite.bed.service])).trim().split('\n').filter(Boolean),
      ])
    )
      .trim()
      .split('\n')
      .map((line) => {
        const [id, slot] = line.split(' ');
        return { id: id as string, slot: Number(slot) };
      });
  const serviceVersion = async () =>
    JSON.parse(await docker(['service', 'inspect', '--format', '{{json .}}', suite.bed.service])) as {
      Version: { Index: number };
      UpdateStatus?: { State?: string; StartedAt?: string };
    };

  it('after `docker stack deploy` again dropped the secrets, update puts them back without a new certificate, in one update', async () => {
    const serials = { web: await storeSerial('web'), app: await storeSerial('app') };
    await suite.bed.redeploy();
    await waitUntil(
      'the replicas without the secrets',
      async () => ((await suite.bed.servedByReplicas(APP_NAME).catch(() => [])).length === 0 ? true : undefined),
      { timeoutMs: 120_000, intervalMs: 2_000 },
    );
    await waitUntil(
      'the redeploy’s own update to end',
      async () => ((await serviceVersion()).UpdateStatus?.State === 'updating' ? undefined : true),
      { timeoutMs: 120_000, intervalMs: 2_000 },
    );
    const before = { tasks: new Set((await nginxTasks()).map((task) => task.id)), service: await serviceVersion() };
    const result = await certkit(['update']);
    expect(result.code, result.stderr).toBe(0);
    // Both sites' secrets (and nginx.conf, where the stack file's differs) in one rolling update: each of the two
    // slots got exactly one new task (an update per site would have made two or three per slot).
    expect(result.stderr).toMatch(/one update for sites (app, web|web, app)( and nginx\.conf)?/);
    expect(result.stderr.match(/ one update for /g)).toHaveLength(1);
    const fresh = (await nginxTasks()).filter((task) => !before.tasks.has(task.id));
    expect(fresh.map((task) => task.slot).sort()).toEqual([1, 2]);
    const after = await serviceVersion();
    expect(after.UpdateStatus?.State).toBe('completed');
    expect(after.Version.Index).toBeGreaterThan(before.service.Version.Index);
    expect(result.stdout).toMatch(/site app .*: unchanged.*put back into nginx/);
    expect(result.stdout).toMatch(/site web .*: unchanged.*put back into nginx/);
    expect(await storeSerial('app')).toBe(serials.app);
    expect(await servedSerials(APP_NAME)).toEqual([serials.app, serials.app]);
    expect(await servedSerials(WEB.names[0] as string)).toEqual([serials.web, serials.web]);
  });
});

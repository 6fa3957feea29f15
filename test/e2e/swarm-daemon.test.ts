import { describe, expect, inject, it } from 'vitest';
import { docker, serviceContainer } from '../../bench/swarm-bed.js';
import {
  APP_NAME,
  appService,
  daemonDeploy,
  servedByAll as servedByAllIn,
  storeSerial as serialIn,
  swarmCertkit,
  WEB_SITE as WEB,
} from './support/swarm-sites.js';
import { runCommand } from './support/docker-cli.js';
import { addStackService, containerHealth, daemonGet, daemonLogs } from './support/swarm-daemon.js';
import { useSwarmBed } from './support/swarm-suite.js';
import { waitUntil } from './support/wait.js';

const dockerMissing = inject('dockerMissing');
/** A site the CA's DNS sends nowhere: it fails at every try, beside the good ones. */
const BAD_NAME = 'bad.swarm.certkit.test';

// compose.swarm.yaml's certkit service (the certkit image built from this tree, `certkit daemon`, .env as a secret,
// the engine's socket) drives the stack by itself: it issues the .env site and a site announced by an app's
// deploy.labels, and after a `docker stack deploy` again (which drops the secrets and resets nginx.conf) it puts them
// back, woken by Swarm's service events long before its hourly check.
describe.skipIf(dockerMissing !== '')("swarm: certkit's daemon service drives the stack", () => {
  const suite = useSwarmBed({ site: WEB, deploy: daemonDeploy });
  const storeSerial = (certName: string) => serialIn(suite.bed, certName);
  const servedByAll = (certName: string, name: string) => servedByAllIn(suite.bed, certName, name);

  const logs = () => daemonLogs(suite.bed);

  it('issues the .env site and the labelled site by itself, served by every replica', async () => {
    for (const [certName, name] of [
      ['web', WEB.names[0] as string],
      ['app', APP_NAME],
    ] as const) {
      await waitUntil(`every replica to serve ${name}`, () => servedByAll(certName, name), { timeoutMs: 240_000, intervalMs: 3_000 }).catch(
        async (error: Error) => {
          throw new Error(`${error.message}\ncertkit's log:\n${await logs()}`);
        },
      );
    }
  });

  it('puts the secrets back after `docker stack deploy` again, woken by the service events, without a new certificate', async () => {
    const serial = await storeSerial('app');
    const putBack = async () => ((await logs()).match(/put back into nginx/g) ?? []).length;
    const before = await putBack();
    await suite.bed.redeploy();
    // The daemon's answer to the redeploy, in its log (written once the rollout is done): waited for, rather than
    // inferred from the handshakes, which can still show the old tasks (or none, for a moment) while Swarm has not
    // started replacing them yet.
    await waitUntil('the daemon to put the secrets back', async () => ((await putBack()) > before ? true : undefined), {
      timeoutMs: 240_000,
      intervalMs: 2_000,
    }).catch(async (error: Error) => {
      throw new Error(`${error.message}\ncertkit's log:\n${await logs()}`);
    });
    const back = await waitUntil('every replica to serve the app again', () => servedByAll('app', APP_NAME), {
      timeoutMs: 120_000,
      intervalMs: 3_000,
    }).catch(async (error: Error) => {
      throw new Error(`${error.message}\ncertkit's log:\n${await logs()}`);
    });
    expect(back).toBe(serial);
    const log = await logs();
    expect(log).toMatch(new RegExp(`service ${suite.bed.name}_nginx: update; checking the sites`));
    expect(log).not.toMatch(/PRIVATE KEY/);
  });

  /** GET on the daemon's monitor port, from inside its container. */
  const monitor = (path: string) => daemonGet(suite.bed, path);
  /** A gauge's value for one site and replica of the nginx service, from the Prometheus text. */
  const replicaCurrent = (metrics: string, site: string, slot: number): string | undefined =>
    new RegExp(`^certkit_swarm_replica_current\\{site="${site}",replica="${suite.bed.service}\\.${slot}",node="[^"]+"\\} (\\d)$`, 'm').exec(
      metrics,
    )?.[1];
  /** `certkit update` on the host, with the daemon's .env (the bed's folder) and the stack. */
  const certkit = (args: readonly string[]) => swarmCertkit(suite.bed.dir as string, suite.bed.name)(args);

  it('serves /metrics with a replica gauge per site and replica, ready certificates, /healthz ok and /problems empty', async () => {
    const metrics = await waitUntil(
      'every replica of both sites current in /metrics',
      async () => {
        const scraped = await monitor('/metrics');
        const all = ['web', 'app'].flatMap((site) => [1, 2].map((slot) => replicaCurrent(scraped.text, site, slot)));
        return scraped.status === 200 && all.every((value) => value === '1') ? scraped.text : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 3_000 },
    );
    const appSerial = await storeSerial('app');
    expect(metrics).toMatch(
      new RegExp(
        `^certkit_swarm_replica_secret_info\\{site="app",replica="${suite.bed.service}\\.1",node="[^"]+",version="${suite.bed.name}-app-\\w+",serial="${appSerial}"\\} 1$`,
        'm',
      ),
    );
    expect(metrics).toMatch(/^certkit_swarm_replica_served_serial_match\{site="web",replica="[^"]+\.2",node="[^"]+"\} 1$/m);
    expect(metrics).toMatch(/^certkit_certificate_ready_status\{name="app",issuer="[^"]*",profile="default",condition="True"\} 1$/m);
    expect(metrics).toMatch(/^certkit_certificate_expiration_timestamp_seconds\{name="web",/m);
    expect(metrics).toMatch(/^certkit_last_check_success 1$/m);
    expect(await monitor('/problems')).toEqual({ status: 200, text: 'no problems\n' });
    expect((await monitor('/healthz')).text).toMatch(/^ok: /);
  });

  it('a replica held on the old version: its gauge is 0, replica_stale names site and replica, health is degraded; caught up, ok', async () => {
    const oldSerial = await storeSerial('app');
    // Swarm waits this long between tasks: the rotation of a renewal replaces one task, and holds the other.
    await docker(['service', 'update', '--detach', '--update-delay', '600s', suite.bed.service]);
    const renewal = certkit(['update', '--force', 'app']);
    const held = await waitUntil(
      'one replica of app on the new version, one on the old',
      async () => {
        const problems = await monitor('/problems');
        // One problem: the replica not replaced yet (the other's start and handshake behind it).
        return problems.status === 503 && /^replica \S+ .* is still on \S+ \(serial \w+\) for site app; .*$/.test(problems.text.trim())
          ? problems
          : undefined;
      },
      { timeoutMs: 150_000, intervalMs: 2_000 },
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\ncertkit's log:\n${await logs()}`);
    });
    const newSerial = await storeSerial('app');
    expect(newSerial).not.toBe(oldSerial);
    const stale = new RegExp(
      `^replica (${suite.bed.service}\\.[12]) \\(task \\w+, node \\S+\\) is still on ${suite.bed.name}-app-\\w+ \\(serial ${oldSerial}\\) for site app; it should have ${suite.bed.name}-app-\\w+ \\(serial ${newSerial}\\)$`,
    );
    expect(held.text.trim(), held.text).toMatch(stale);
    const replica = stale.exec(held.text.trim())?.[1] as string;
    const slot = Number(replica.split('.').pop());
    const metrics = (await monitor('/metrics')).text;
    expect(replicaCurrent(metrics, 'app', slot)).toBe('0');
    expect(replicaCurrent(metrics, 'app', 3 - slot)).toBe('1');
    expect(replicaCurrent(metrics, 'web', slot)).toBe('1');
    expect(metrics).toMatch(/^certkit_certificate_ready_status\{name="app",issuer="[^"]*",profile="default",condition="False"\} 1$/m);
    const health = await monitor('/healthz');
    expect(health.status, 'the loop is alive: no restart').toBe(200);
    expect(health.text).toMatch(
      new RegExp(`^degraded: .*1 problem \\(/problems\\): replica ${replica.replace('.', '\\.')} .* for site app`),
    );
    expect(await logs()).toMatch(
      new RegExp(`alert: \\[certkit ${suite.bed.name}\\] PROBLEM: .*replica ${replica.replace('.', '\\.')} .* for site app`),
    );

    // Let Swarm go on: the update restarts with no delay and replaces the task left.
    await docker(['service', 'update', '--detach', '--update-delay', '0s', suite.bed.service]);
    const result = await renewal;
    expect(result.code, result.stdout + result.stderr).toBe(0);
    await waitUntil('no problem left', async () => ((await monitor('/problems')).status === 200 ? true : undefined), {
      timeoutMs: 120_000,
      intervalMs: 2_000,
    });
    const after = (await monitor('/metrics')).text;
    expect([1, 2].map((each) => replicaCurrent(after, 'app', each))).toEqual(['1', '1']);
    expect((await monitor('/healthz')).text).toMatch(/^ok: /);
    expect(await logs()).toMatch(new RegExp(`alert: \\[certkit ${suite.bed.name}\\] RESOLVED: .*${replica.replace('.', '\\.')}`));
  });

  it('a site whose name reaches no server fails and backs off alone, named everywhere, while the others are served; the task stays healthy', async () => {
    // The CA's DNS sends the site's name where nothing answers (before the site exists: its first try fails).
    await suite.bed.caAnswers(BAD_NAME, '127.0.0.1');
    await addStackService(
      suite.bed,
      'bad',
      appService(inject('images')['CERTKIT_NODE_IMAGE'], 'bad\n', { 'certkit.host': BAD_NAME, 'certkit.site': 'bad' }),
    );
    const failedLines = async () => (await logs()).match(/site bad failed \(\w+\), \d+ times? in a row: it backs off alone[^\n]*/g) ?? [];
    const first = await waitUntil('the daemon to back the bad site off', async () => (await failedLines())[0], {
      timeoutMs: 240_000,
      intervalMs: 2_000,
    }).catch(async (error: Error) => {
      throw new Error(`${error.message}\ncertkit's log:\n${await logs()}`);
    });
    expect(first).toMatch(
      /^site bad failed \(\w+\), 1 time in a row: it backs off alone, next try at \S+ \(in 60s\); the other sites go on$/,
    );
    // Another sweep within its minute (a change to a stack service wakes the daemon): the site sits it out.
    await docker(['service', 'update', '--detach', '--label-add', 'certkit-test.poke=1', `${suite.bed.name}_app`]);
    await waitUntil(
      'a sweep the bad site sits out',
      async () => ((await logs()).includes('site bad: waits (failed 1 time in a row; next try at') ? true : undefined),
      {
        timeoutMs: 55_000,
        intervalMs: 1_000,
      },
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\ncertkit's log:\n${await logs()}`);
    });
    expect(await failedLines(), 'not tried again at that sweep').toHaveLength(1);
    // The good sites are served by every replica meanwhile (put back after the redeploy).
    for (const [certName, name] of [
      ['web', WEB.names[0] as string],
      ['app', APP_NAME],
    ] as const) {
      await waitUntil(`every replica to serve ${name}`, () => servedByAll(certName, name), { timeoutMs: 180_000, intervalMs: 3_000 });
    }
    const problems = await monitor('/problems');
    expect(problems.status).toBe(503);
    expect(problems.text).toMatch(/^the check of bad failed \(\w+\): /m);
    expect(problems.text).not.toMatch(/the check of (web|app) failed/);
    expect(await monitor('/healthz')).toEqual({ status: 200, text: expect.stringMatching(/^degraded: .*the check of bad failed/) });
    expect((await monitor('/metrics')).text).toMatch(/^certkit_renewal_failures_total\{name="bad",reason="\w+"\} 1$/m);
    // degraded is healthy: Swarm does not replace the controller for a site's DNS.
    const container = await serviceContainer(`${suite.bed.name}_certkit`);
    expect(
      await waitUntil('the certkit task to be healthy', async () => ((await containerHealth(container)) === 'healthy' ? true : undefined), {
        timeoutMs: 60_000,
      }),
    ).toBe(true);
    // Its own time comes (1 min): tried again, and backed off further (10 min).
    const second = await waitUntil('the bad site tried again at its time', async () => (await failedLines())[1], {
      timeoutMs: 150_000,
      intervalMs: 2_000,
    });
    expect(second).toMatch(/, 2 times in a row: it backs off alone, next try at \S+ \(in 10m\)/);
    expect(await containerHealth(container)).toBe('healthy');
  });

  it('a daemon that stops answering turns its task unhealthy, and Swarm replaces it with a healthy one', async () => {
    const container = await serviceContainer(`${suite.bed.name}_certkit`);
    // SIGSTOP: the process lives on but answers nothing, as a hung daemon.
    await docker(['kill', '--signal', 'STOP', container]);
    try {
      const seen = await waitUntil(
        'the task to turn unhealthy',
        async () => {
          const health = await containerHealth(container);
          const errors = (
            await runCommand('docker', ['service', 'ps', '--no-trunc', '--format', '{{.Error}}', `${suite.bed.name}_certkit`])
          ).stdout;
          return health === 'unhealthy' || /unhealthy/.test(errors) ? `${health}; ${errors.trim()}` : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 1_000 },
      );
      expect(seen).toMatch(/unhealthy/);
    } finally {
      await runCommand('docker', ['kill', '--signal', 'CONT', container]);
    }
    await waitUntil(
      'a new certkit task, healthy',
      async () => {
        const next = await serviceContainer(`${suite.bed.name}_certkit`).catch(() => undefined);
        return next && next !== container && (await containerHealth(next)) === 'healthy' ? next : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 2_000 },
    );
  });
});

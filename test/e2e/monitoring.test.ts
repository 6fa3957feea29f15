import { appendFile, cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCommand } from './support/docker-cli.js';
import { REPO, TestStack } from './support/stack.js';
import { probeCertificate } from './support/tls.js';
import { waitUntil } from './support/wait.js';

const dockerMissing = inject('dockerMissing');

/** The yaml block after docs/monitoring.md's `<!-- certkit-alert-rules -->` marker. */
function documentedAlertRules(page: string): string {
  const block = /<!-- certkit-alert-rules -->\n```yaml\n([\s\S]*?)```/.exec(page)?.[1];
  if (!block) throw new Error('docs/monitoring.md has no alert rules block after <!-- certkit-alert-rules -->');
  return block;
}

interface Alert {
  text: string;
  event: 'firing' | 'reminder' | 'resolved';
  alert: string;
  certificate: string;
  details: Record<string, unknown>;
}

// One stack with 30-second certificates renewed every few seconds, a real Prometheus scraping the daemon over the
// internal test network, and a webhook receiver. Health checks run every 2 s so state changes show quickly.
describe.skipIf(dockerMissing !== '')('metrics, health checks and alerts', () => {
  let stack: TestStack;
  let name: string;

  const withLogs = async (error: Error): Promise<never> => {
    const logs = (await stack.compose(['logs', '--no-color', '--tail', '80', 'certkit'])).stdout;
    throw new Error(`${error.message}\n--- certkit logs ---\n${logs}`);
  };
  const promtool = async (args: string[]): Promise<string> => {
    const result = await stack.exec('prometheus', ['promtool', ...args]);
    if (result.code !== 0) throw new Error(`promtool ${args[0]}: ${result.stderr || result.stdout}`);
    return result.stdout;
  };
  const scrapeDaemon = async (): Promise<string> => {
    const result = await stack.exec('prometheus', ['wget', '-qO-', 'http://certkit:9464/metrics']);
    if (result.code !== 0) throw new Error(`wget /metrics exited ${result.code}`);
    return result.stdout;
  };
  const health = async (service: string): Promise<string> => {
    const result = await runCommand('docker', ['inspect', '-f', '{{.State.Health.Status}}', await stack.containerId(service)]);
    return result.stdout.trim();
  };
  const waitHealth = (service: string, status: string, timeoutMs = 60_000): Promise<string> =>
    waitUntil(`${service} to be ${status}`, async () => ((await health(service)) === status ? status : undefined), {
      timeoutMs,
      intervalMs: 1_000,
    });
  const alerts = async (): Promise<Alert[]> => {
    const result = await runCommand('docker', ['logs', await stack.containerId('receiver')]);
    return result.stdout
      .split('\n')
      .filter((line) => line.startsWith('ALERT '))
      .map((line) => JSON.parse(line.slice(6)) as Alert);
  };

  beforeAll(async () => {
    stack = await TestStack.create({
      env: {
        CERTKIT_CHECK_INTERVAL: '3s',
        // nginx loads renewals at handshakes by default, so a broken configuration would not stop one being served;
        // the serial-mismatch alert needs an nginx that takes a renewal only at a reload.
        CERTKIT_NGINX_TLS: 'reload',
        CERTKIT_HEALTHCHECK_INTERVAL: '2s',
        CERTKIT_HEALTH_GRACE: '20s',
        CERTKIT_ALERT_WEBHOOK: 'http://receiver:8080/hooks/SECRET-TOKEN',
      },
      pebbleValiditySeconds: 30,
    });
    await cp(join(REPO, 'test/e2e/fixtures/monitoring'), join(stack.dir, 'monitoring'), { recursive: true });
    await cp(join(REPO, 'test/e2e/fixtures/monitoring/compose.monitoring.yaml'), join(stack.dir, 'compose.monitoring.yaml'));
    await writeFile(
      join(stack.dir, 'monitoring/rules.yml'),
      documentedAlertRules(await readFile(join(REPO, 'docs/monitoring.md'), 'utf8')),
    );
    stack.composeFiles.push('compose.monitoring.yaml');
    await stack.up();
    name = stack.names[0] as string;
    await waitUntil('the first certificate to be served', async () => probeCertificate(stack.httpsPort, name).catch(() => undefined), {
      timeoutMs: 90_000,
      intervalMs: 1_000,
    }).catch(withLogs);
  });
  afterAll(async () => {
    if (stack) await stack.destroy();
  });

  it("Prometheus scrapes the daemon and a PromQL query returns the served certificate's expiry", async () => {
    const match = await waitUntil(
      'Prometheus to hold the expiry of the certificate nginx serves',
      async () => {
        const served = await probeCertificate(stack.httpsPort, name);
        const rows = JSON.parse(
          await promtool([
            'query',
            'instant',
            '-o',
            'json',
            'http://127.0.0.1:9090',
            `certkit_certificate_expiration_timestamp_seconds{name="${name}"}`,
          ]),
        ) as Array<{ metric: Record<string, string>; value: [number, string] }>;
        const row = rows[0];
        return row && Number(row.value[1]) === served.notAfter.getTime() / 1000 ? row : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1_000 },
    ).catch(withLogs);
    expect(match.metric).toMatchObject({ job: 'certkit', name, profile: 'default' });
    expect(match.metric['issuer']).toMatch(/^Pebble Intermediate CA/);
  });

  it("loads docs/monitoring.md's alert rules, which promtool accepts", async () => {
    expect(await promtool(['check', 'rules', '/etc/prometheus/rules.yml'])).toMatch(/SUCCESS: \d+ rules found/);
    const rules = await stack.exec('prometheus', ['wget', '-qO-', 'http://127.0.0.1:9090/api/v1/rules']);
    expect(rules.stdout).toContain('CertkitCertificateLifetimeLow');
  });

  it("promtool check metrics passes on the daemon's output, which names every documented metric", async () => {
    const text = await scrapeDaemon();
    const check = await stack.exec('prometheus', ['sh', '-c', 'wget -qO- http://certkit:9464/metrics | promtool check metrics']);
    expect(check.stdout + check.stderr).toBe('');
    expect(check.code).toBe(0);
    const monitoringPage = await readFile(join(REPO, 'docs/monitoring.md'), 'utf8');
    const names = [...new Set([...text.matchAll(/^# TYPE (\S+)/gm)].map((found) => found[1] as string))];
    expect(names.length).toBeGreaterThanOrEqual(12);
    for (const metric of names) expect(monitoringPage, `docs/monitoring.md documents ${metric}`).toContain(metric);
    expect(text).toMatch(/certkit_certificate_ready_status\{[^}]*condition="True"\} 1/);
    expect(text).toMatch(/certkit_certbot_run_duration_seconds_count\{command="(certonly|renew)",result="success"\} [1-9]/);
  });

  it('certkit status --json and /metrics agree', async () => {
    const agreed = await waitUntil(
      'a moment when no renewal happens between two scrapes',
      async () => {
        const before = await scrapeDaemon();
        const status = await stack.certkit(['status', '--json']);
        const after = await scrapeDaemon();
        const expiry = (text: string) => /certkit_certificate_expiration_timestamp_seconds\{[^}]*\} (\d+)/.exec(text)?.[1];
        if (expiry(before) !== expiry(after)) return undefined;
        return {
          status: JSON.parse(status.stdout) as Array<{
            name: string;
            notAfter: string;
            notBefore: string;
            renewalAt: string;
            ready: boolean;
          }>,
          metrics: after,
        };
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const entry = agreed.status.find((candidate) => candidate.name === name);
    if (!entry) throw new Error(`status has no ${name}`);
    const value = (metric: string) =>
      Number(new RegExp(`${metric}\\{name="${name.replace(/\./g, '\\.')}"[^}]*\\} (\\S+)`).exec(agreed.metrics)?.[1]);
    expect(value('certkit_certificate_expiration_timestamp_seconds')).toBe(Date.parse(entry.notAfter) / 1000);
    expect(value('certkit_certificate_not_before_timestamp_seconds')).toBe(Date.parse(entry.notBefore) / 1000);
    expect(value('certkit_certificate_renewal_timestamp_seconds')).toBe(Date.parse(entry.renewalAt) / 1000);
  });

  it('publishes /metrics on the host only with compose.metrics.yaml, on 127.0.0.1 by default', async () => {
    const [command, ...prefix] = inject('composeCommand');
    const config = (files: string[]) =>
      runCommand(command as string, [...prefix, ...files.flatMap((file) => ['-f', file]), '--profile', 'certbot', 'config'], {
        cwd: stack.dir,
        env: stack.composeEnv(),
      });
    const plain = await config(['docker-compose.yaml']);
    expect(plain.code).toBe(0);
    // Compose v1 prints ports short (127.0.0.1:9464:9464/tcp), v2 long (host_ip, published).
    expect(plain.stdout).not.toMatch(/9464:9464|published: "?9464/);
    const published = await config(['docker-compose.yaml', 'compose.metrics.yaml']);
    expect(published.stdout).toMatch(/127\.0\.0\.1:9464:9464|host_ip: 127\.0\.0\.1[\s\S]*published: "?9464/);
  });

  it('every service reports healthy, and compose ps shows it', async () => {
    for (const service of ['certkit', 'nginx', 'certbot']) await waitHealth(service, 'healthy');
    const ps = await stack.compose(['ps']);
    expect(ps.stdout).toMatch(/healthy/);
  });

  it('alerts once when the CA is down and a renewal fails, once when it recovers; nothing is sent twice', async () => {
    await stack.compose(['stop', 'pebble']);
    const firing = await waitUntil(
      'a renewal failure alert',
      async () => (await alerts()).find((alert) => alert.alert === 'renewal_failed' && alert.event === 'firing'),
      { timeoutMs: 60_000, intervalMs: 1_000 },
    ).catch(withLogs);
    expect(firing.certificate).toBe(name);
    expect(firing.text).toMatch(/PROBLEM: renewal failed: the check of .* failed \(\w+\): .*next retry at /);
    expect(firing.details['nextRetry']).toEqual(expect.any(String));
    await stack.compose(['start', 'pebble']);
    await waitUntil(
      'the recovery message',
      async () => (await alerts()).find((alert) => alert.alert === 'renewal_failed' && alert.event === 'resolved'),
      { timeoutMs: 120_000, intervalMs: 1_000 },
    ).catch(withLogs);
    // A few more checks: still nothing new for the same state.
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    const received = await alerts();
    expect(received.filter((alert) => alert.alert === 'renewal_failed').map((alert) => alert.event)).toEqual(['firing', 'resolved']);
    for (const kind of new Set(received.map((alert) => `${alert.alert} ${alert.certificate}`))) {
      const events = received.filter((alert) => `${alert.alert} ${alert.certificate}` === kind).map((alert) => alert.event);
      events.forEach((event, index) => expect(event, `${kind}: ${events.join(', ')}`).toBe(index % 2 === 0 ? 'firing' : 'resolved'));
    }
    const logs = (await stack.compose(['logs', '--no-color', 'certkit'])).stdout;
    expect(logs).toContain('alerts to http://receiver:8080/…');
    expect(logs).not.toContain('SECRET-TOKEN');
  });

  it('certkit turns unhealthy when its loop is stuck (a run lock never released), and healthy after', async () => {
    await waitHealth('certkit', 'healthy');
    const lock = await stack.exec('certbot', [
      'sh',
      '-c',
      'printf "test holder since %s\\n" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" > /tmp/certkit.lock',
    ]);
    expect(lock.code).toBe(0);
    await waitHealth('certkit', 'unhealthy', 60_000).catch(withLogs);
    const why = await stack.exec('certkit', ['node', '/opt/certkit/bin/certkit.js', 'health']);
    expect(why.code).toBe(1);
    expect(why.stdout).toMatch(/unhealthy: checking since .*longer than CERTKIT_HEALTH_GRACE/);
    await stack.exec('certbot', ['rm', '-f', '/tmp/certkit.lock']);
    await waitHealth('certkit', 'healthy', 60_000).catch(withLogs);
  });

  it('nginx turns unhealthy when its configuration is broken; a renewal it cannot load raises serial_mismatch; all clears after', async () => {
    const conf = join(stack.dir, 'nginx/nginx.conf');
    const original = await readFile(conf, 'utf8');
    await waitHealth('nginx', 'healthy');
    await appendFile(conf, '\nthis is not nginx configuration;\n');
    await waitHealth('nginx', 'unhealthy');
    // The next renewal is deployed but nginx refuses to reload: it keeps serving the old serial.
    const mismatch = await waitUntil(
      'a serial mismatch alert',
      async () => (await alerts()).find((alert) => alert.alert === 'serial_mismatch' && alert.event === 'firing'),
      { timeoutMs: 90_000, intervalMs: 1_000 },
    ).catch(withLogs);
    expect(mismatch.text).toMatch(
      /PROBLEM: nginx serves another certificate: nginx serves serial \w+ for .*, but the deployed certificate is \w+/,
    );
    await writeFile(conf, original);
    await waitHealth('nginx', 'healthy');
    // The daemon backs off a minute after the failed check, then reloads nginx.
    await waitUntil(
      'the mismatch to clear',
      async () => (await alerts()).find((alert) => alert.alert === 'serial_mismatch' && alert.event === 'resolved'),
      { timeoutMs: 150_000, intervalMs: 1_000 },
    ).catch(withLogs);
    const received = await alerts();
    expect(received.filter((alert) => alert.alert === 'serial_mismatch').map((alert) => alert.event)).toEqual(['firing', 'resolved']);
  });
});

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { request } from 'node:http';
import { chainsTo, probeCertificate } from './support/tls.js';
import { fetchPebbleRoot } from './support/pebble.js';
import { CLIENT_KINDS, describeFailures, runHttpsLoad } from './support/https-load.js';
import { TestStack } from './support/stack.js';
import { runCommand } from './support/docker-cli.js';
import { waitUntil } from './support/wait.js';

const dockerMissing = inject('dockerMissing');

// The product promise: `docker compose --profile certbot up` alone ends with nginx serving a valid certificate, and
// `certkit update` renews it without dropping a request. Pebble stands in for Let's Encrypt.
describe.skipIf(dockerMissing !== '')('zero-touch HTTPS with the pebble profile', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.create();
    await stack.up();
  });
  afterAll(async () => {
    if (stack) await stack.destroy();
  });

  const servedSerial = async (name: string) => (await probeCertificate(stack.httpsPort, name)).serial;

  it('serves HTTPS with a Pebble-issued certificate for every name within 90 s, no manual step', async () => {
    const first = stack.names[0] as string;
    const presented = await waitUntil('nginx to serve HTTPS', async () => probeCertificate(stack.httpsPort, first).catch(() => undefined), {
      timeoutMs: 90_000,
      intervalMs: 1_000,
    }).catch(async (error: Error) => {
      throw new Error(`${error.message}\n--- compose logs ---\n${await stack.logs()}`);
    });
    expect(presented.names.sort()).toEqual([...stack.names].sort());
    const root = await fetchPebbleRoot(stack);
    for (const name of stack.names) {
      const byName = await probeCertificate(stack.httpsPort, name);
      expect(byName.serial).toBe(presented.serial);
      expect(chainsTo(byName, root)).toBe(true);
    }
  });

  it('redirects http:// to https:// except the ACME challenge path', async () => {
    const name = stack.names[1] as string;
    const redirect = await httpGet(stack.httpPort, name, '/some/page?x=1');
    expect(redirect.status).toBe(301);
    expect(redirect.location).toBe(`https://${name}:${stack.httpsPort}/some/page?x=1`);
    const challenge = await httpGet(stack.httpPort, name, '/.well-known/acme-challenge/missing-token');
    expect(challenge.status).toBe(404);
  });

  it('three forced renewals reach keep-alive, HTTP/2 and new-connection clients with no failed request and no reload', async () => {
    const name = stack.names[0] as string;
    let finish!: () => void;
    const stop = new Promise<void>((resolve) => (finish = resolve));
    const load = runHttpsLoad({ port: stack.httpsPort, servername: name, stop, maxRequests: 20_000, maxMs: 180_000 });
    try {
      for (let renewal = 0; renewal < 3; renewal += 1) {
        const before = await servedSerial(name);
        const result = await stack.certkit(['update', '--force', '--json']);
        expect(result.code, result.stderr).toBe(0);
        const json = JSON.parse(result.stdout) as { action: string; serial: string; reloaded: boolean };
        expect(json.action).toBe('renewed');
        // nginx reads the renewed bundle at TLS handshakes: no reload, so no keep-alive connection is closed.
        expect(json.reloaded).toBe(false);
        expect(json.serial).not.toBe(before);
        expect(await servedSerial(name)).toBe(json.serial);
      }
    } finally {
      finish();
    }
    const result = await load;
    // Failures by client kind (the message names each cause: socket error code or HTTP status); any one fails the test.
    const failedByKind = Object.fromEntries(CLIENT_KINDS.map((kind) => [kind, result.byKind[kind].failed]));
    expect(failedByKind, describeFailures(result)).toEqual(Object.fromEntries(CLIENT_KINDS.map((kind) => [kind, 0])));
    expect(result.failed, describeFailures(result)).toBe(0);
    for (const kind of CLIENT_KINDS) expect(result.byKind[kind].ok, kind).toBeGreaterThan(0);
    // How this nginx names the certificate: through the immutable version tls/current.pem links to, and where nginx has
    // ssl_certificate_cache, kept per version file (a renewal is a new file, so a new cache entry).
    const tls = await stack.exec('nginx', ['cat', '/run/certkit-nginx/tls-certificate.conf']);
    expect(tls.stdout).toMatch(/^root \S+\/tls\/current\.pem;$/m);
    expect(tls.stdout).toContain('ssl_certificate $certkit_tls_file;');
    const [major = 0, minor = 0, patch = 0] = (/nginx\/(\d+)\.(\d+)\.(\d+)/.exec(tls.stdout) ?? []).slice(1).map(Number);
    const hasCache = major * 1_000_000 + minor * 1_000 + patch >= 1_027_004;
    if (hasCache) expect(tls.stdout).toContain('ssl_certificate_cache max=64 inactive=60s valid=1h;');
    else expect(tls.stdout).not.toContain('ssl_certificate_cache');
  });

  it('runs one update at a time: a second caller waits, or says who holds the lock', async () => {
    const first = stack.certkit(['update', '--force']);
    await waitUntil(
      'the first run to take the lock',
      async () => ((await stack.exec('certbot', ['test', '-f', '/tmp/certkit.lock'])).code === 0 ? true : undefined),
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    const [impatient, patient] = await Promise.all([stack.certkit(['update', '--wait', '0']), stack.certkit(['update'])]);
    expect(impatient.code).toBe(1);
    expect(impatient.stderr).toMatch(/Another certkit run holds the lock: certkit update \(pid \d+ on [^)]+\) since \d{4}-/);
    expect(impatient.stderr).not.toMatch(/Another instance of Certbot/);
    expect((await first).code).toBe(0);
    expect(patient.code, patient.stderr).toBe(0);
    expect(patient.stderr).toMatch(/waiting for another certkit run to finish/);
  });

  it('update --dry-run rehearses against the CA and changes nothing', async () => {
    const before = await servedSerial(stack.names[0] as string);
    const result = await stack.certkit(['update', '--dry-run', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as { action: string }).action).toBe('dry-run');
    expect(result.stderr).toMatch(/dry run/);
    expect(await servedSerial(stack.names[0] as string)).toBe(before);
  });

  it('issues nothing new when the whole stack restarts (and the idle certbot container stops on SIGTERM)', async () => {
    const before = await servedSerial(stack.names[0] as string);
    // Exit code 0 means the entrypoint handled SIGTERM itself, rather than being killed when the stop timed out (137).
    const certbot = await stack.containerId('certbot');
    expect((await runCommand('docker', ['stop', '-t', '30', certbot])).code).toBe(0);
    expect((await runCommand('docker', ['inspect', '-f', '{{.State.ExitCode}}', certbot])).stdout.trim()).toBe('0');
    const down = await stack.compose(['down']);
    expect(down.code, down.stderr).toBe(0);
    await stack.up();
    const after = await waitUntil('nginx to serve HTTPS again', async () => servedSerial(stack.names[0] as string).catch(() => undefined), {
      timeoutMs: 90_000,
      intervalMs: 1_000,
    });
    expect(after).toBe(before);
    // The daemon's first check ran (or runs) and must keep the certificate: give it time, then look again.
    await waitUntil(
      'the certkit daemon to finish its first check',
      async () => ((await stack.compose(['logs', '--no-color', 'certkit'])).stdout.includes('next check at') ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    expect(await servedSerial(stack.names[0] as string)).toBe(before);
  });

  it('adding a name expands the same certificate (no -0001 copy)', async () => {
    const names = [...stack.names, `api.${stack.names[0]}`];
    await stack.writeEnv({ CERTBOT_DOMAIN: names.join(',') });
    const result = await stack.certkit(['update', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as { action: string; domains: string[] };
    expect(json.action).toBe('reissued');
    expect(json.domains.sort()).toEqual([...names].sort());
    const live = await stack.listDir('certbot', '/etc/letsencrypt/live');
    expect(live.filter((entry) => entry !== 'README')).toEqual([stack.names[0]]);
    for (const name of names) expect((await probeCertificate(stack.httpsPort, name)).names.sort()).toEqual([...names].sort());
  });
});

function httpGet(port: number, host: string, path: string): Promise<{ status: number; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host }, timeout: 5_000 }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, location: res.headers.location });
    });
    req.on('error', reject);
    req.end();
  });
}

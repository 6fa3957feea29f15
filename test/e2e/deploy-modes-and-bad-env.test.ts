import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createHash } from 'node:crypto';
import { chmod, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeCertificate } from './support/tls.js';
import { TestStack } from './support/stack.js';
import { runCommand } from './support/docker-cli.js';
import { waitUntil } from './support/wait.js';

const dockerMissing = inject('dockerMissing');

// With CERTKIT_DEPLOY_MODE=symlink the deployed cert/key are links into /etc/letsencrypt, which nginx does not mount:
// nginx serves bundle.pem, a regular file in every mode. And a bad .env never takes a serving nginx down.
describe.skipIf(dockerMissing !== '')('symlink deploy mode, nginx restarts and a bad .env on a serving stack', () => {
  let stack: TestStack;
  let env: Record<string, string>;
  // Outside the kit's folder, as a user's DNS credentials are; certkit-init sees the file only through its mount.
  let secretsDir: string;

  beforeAll(async () => {
    stack = await TestStack.create({ env: { CERTKIT_DEPLOY_MODE: 'symlink' } });
    env = { CERTBOT_DOMAIN: stack.names.join(','), CERTKIT_DEPLOY_MODE: 'symlink' };
    secretsDir = await mkdtemp(join(tmpdir(), 'certkit-e2e-secrets-'));
    await writeFile(join(secretsDir, 'readable.ini'), 'dns_rfc2136_server = 192.0.2.1\n');
    await chmod(join(secretsDir, 'readable.ini'), 0o644);
    await stack.up();
  });
  afterAll(async () => {
    if (stack) await stack.destroy();
    if (secretsDir) await rm(secretsDir, { recursive: true, force: true });
  });

  const dns = (credentials: string) => ({
    CERTBOT_CHALLENGE: 'dns',
    CERTBOT_DNS_PLUGIN: 'rfc2136',
    CERTBOT_IMAGE: inject('images')['CERTKIT_TEST_CERTBOT_DNS_IMAGE'] as string,
    CERTBOT_DNS_CREDENTIALS: join(secretsDir, credentials),
  });
  /** What certkit-init renders: a refusal must leave every byte of it as it was. */
  const rendered = async () => {
    const hash = createHash('sha256');
    for (const folder of ['certbot', 'nginx']) {
      for (const name of (await readdir(join(stack.dir, folder))).sort())
        hash.update(name).update(await readFile(join(stack.dir, folder, name)));
    }
    return hash.digest('hex');
  };

  const served = (name = stack.names[0] as string) => probeCertificate(stack.httpsPort, name);
  const waitForServed = (what: string, serial?: string) =>
    waitUntil(
      what,
      async () => {
        const presented = await served().catch(() => undefined);
        return presented && (serial === undefined || presented.serial === serial) ? presented : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 1_000 },
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\n--- compose logs ---\n${await stack.logs()}`);
    });

  it('serves HTTPS, serves a renewal, and still serves it after nginx restarts; plain HTTP only redirects', async () => {
    await waitForServed('nginx to serve HTTPS in symlink mode');
    const deployed = await stack.exec('certbot', [
      'sh',
      '-c',
      `cd /etc/certkit/deploy/${stack.names[0]} && for f in *.pem; do if [ -L "$f" ]; then echo "$f link"; else echo "$f file"; fi; done`,
    ]);
    expect(deployed.stdout.split('\n').filter(Boolean).sort()).toEqual([
      'bundle.pem file',
      'cert.pem link',
      'chain.pem link',
      'fullchain.pem link',
      'privkey.pem link',
    ]);
    // The deployed serial is bundle.pem's (what nginx serves): the links into /etc/letsencrypt are not "unreadable".
    const status = await stack.certkit(['status', '--json']);
    expect(status.code, `${status.stdout}\n${status.stderr}`).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual([expect.objectContaining({ deployed: 'ok', ready: true, problems: [] })]);

    const update = await stack.certkit(['update', '--force', '--json']);
    expect(update.code, update.stderr).toBe(0);
    const renewed = (JSON.parse(update.stdout) as { serial: string }).serial;
    expect((await served()).serial).toBe(renewed);

    const restart = await runCommand('docker', ['restart', '-t', '10', await stack.containerId('nginx')]);
    expect(restart.code, restart.stderr).toBe(0);
    await waitForServed('nginx to serve the renewed certificate after a restart', renewed);
    const logs = await stack.compose(['logs', '--no-color', 'nginx']);
    expect(logs.stdout.match(/nginx starts with the \w+ site/g)?.at(-1)).toBe('nginx starts with the https site');
    expect((await httpGet(stack.httpPort, stack.names[0] as string, '/')).status).toBe(301);
  });

  it('when nginx cannot load HTTPS though a certificate is deployed, plain HTTP refuses the site (503), not 200', async () => {
    const bundle = `/etc/certkit/deploy/${stack.names[0]}/bundle.pem`;
    // By default nginx reads the bundle at handshakes, so `nginx -t` cannot see a broken one; an nginx that loads the
    // certificate at start (CERTKIT_NGINX_TLS=reload, and nginx before 1.15.9) is the one that can fail to load HTTPS.
    await stack.writeEnv({ ...env, CERTKIT_NGINX_TLS: 'reload' });
    await stack.up();
    await waitForServed('nginx, recreated to load the certificate at start, to serve HTTPS');
    const nginx = async () => runCommand('docker', ['restart', '-t', '10', await stack.containerId('nginx')]);
    expect((await stack.exec('certbot', ['sh', '-c', `cp ${bundle} /tmp/bundle.pem && echo broken > ${bundle}`])).code).toBe(0);
    expect((await nginx()).code).toBe(0);
    const fallback = await waitUntil(
      'nginx to fall back to plain HTTP',
      async () => httpGet(stack.httpPort, stack.names[0] as string, '/').catch(() => undefined),
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(fallback.status).toBe(503);
    expect((await httpGet(stack.httpPort, stack.names[0] as string, '/.well-known/acme-challenge/none')).status).toBe(404);
    expect((await stack.exec('certbot', ['sh', '-c', `cp /tmp/bundle.pem ${bundle}`])).code).toBe(0);
    expect((await nginx()).code).toBe(0);
    await waitForServed('nginx to serve HTTPS again once bundle.pem is whole');
    await stack.writeEnv(env);
    await stack.up();
    await waitForServed('nginx, recreated with the default certificate loading, to serve HTTPS');
  });

  it('an option removed from CERTBOT_OPTIONS is gone from the renewal conf after the next renewal', async () => {
    const conf = async () => (await stack.exec('certbot', ['cat', `/etc/letsencrypt/renewal/${stack.names[0]}.conf`])).stdout;
    await stack.writeEnv({ ...env, CERTBOT_OPTIONS: '--reuse-key' });
    const withOption = await stack.certkit(['update', '--force']);
    expect(withOption.code, withOption.stderr).toBe(0);
    expect(await conf()).toMatch(/^reuse_key = True$/m);

    await stack.writeEnv(env);
    const without = await stack.certkit(['update', '--force']);
    expect(without.code, without.stderr).toBe(0);
    expect(without.stderr).toMatch(/drops reuse_key from the renewal conf \(no longer in CERTBOT_OPTIONS\)/);
    expect(await conf()).not.toMatch(/reuse_key/);
    await waitForServed('nginx to serve the certificate renewed without the option');
  });

  // Values only certkit-init reads: compose converges nginx unchanged, init refuses, nginx serves on.
  // NGINX_BIND and the ports are in nginx's own container definition: compose checks an address and a port range
  // itself before touching anything; two equal ports only certkit can see, so `certkit render` is the check to run.
  it.each([
    ['an upstream port out of range', () => ({ NGINX_UPSTREAM: 'http://web:99999' }), /NGINX_UPSTREAM: .* outside 1-65535/, 'certkit-init'],
    [
      'a placeholder name on a public CA',
      () => ({ CERTBOT_DOMAIN: 'example.com', CERTBOT_SERVER: 'production' }),
      /is a placeholder/,
      'certkit-init',
    ],
    ['an unknown certbot flag', () => ({ CERTBOT_OPTIONS: '--must-sta' }), /certbot reads it as --must-staple/, 'certkit-init'],
    ['a bad NGINX_BIND', () => ({ NGINX_BIND: '999.1.1.1' }), /999\.1\.1\.1/, 'compose'],
    // Settings only the daemon, nginx's entrypoint or certbot use (issue 19): certkit-init refuses them as well.
    [
      'an ftp:// alert webhook',
      () => ({ CERTKIT_ALERT_WEBHOOK: 'ftp://hooks.internal.test/x' }),
      /CERTKIT_ALERT_WEBHOOK: URL number 1 is a ftp: URL/,
      'certkit-init',
    ],
    ['a metrics port of 0', () => ({ CERTKIT_METRICS_PORT: '0' }), /CERTKIT_METRICS_PORT: "0" is not a port/, 'certkit-init'],
    ['a health grace over a day', () => ({ CERTKIT_HEALTH_GRACE: '2d' }), /CERTKIT_HEALTH_GRACE: "2d"/, 'certkit-init'],
    ['a misspelt DNS plugin', () => ({ ...dns('readable.ini'), CERTBOT_DNS_PLUGIN: 'rfc2163' }), /did you mean rfc2136\?/, 'certkit-init'],
    [
      'a DNS credentials file other users can read',
      () => dns('readable.ini'),
      /readable\.ini" has mode 0644, .* chmod 600/,
      'certkit-init',
    ],
    // Compose v1 refuses a missing bind source itself; v2 makes a folder there, which certkit-init refuses.
    ['a DNS credentials file that does not exist', () => dns('missing.ini'), /missing\.ini/, 'compose'],
  ])('a bad .env (%s) and `docker compose up -d` again: refused, and nginx keeps serving HTTPS', async (_, values, message, refusedBy) => {
    const before = await served();
    const nginx = await stack.containerId('nginx');
    const files = await rendered();
    try {
      await stack.writeEnv({ ...env, ...values() });
      const up = await stack.compose(['up', '-d']);
      expect(up.code).not.toBe(0);
      // Compose v2 checks the address before anything runs; v1 may run certkit-init first, which refuses it too.
      const initLogs = (await stack.compose(['logs', '--no-color', '--tail', '20', 'certkit-init'])).stdout;
      const said = refusedBy === 'compose' ? `${up.stderr}\n${initLogs}` : initLogs;
      expect(said).toMatch(message);
      expect(await stack.containerId('nginx')).toBe(nginx);
      expect((await served()).serial).toBe(before.serial);
      expect(await rendered()).toBe(files);
    } finally {
      await stack.writeEnv(env);
    }
  });

  it("equal ports through Dify's names are refused naming those names, before compose would recreate nginx", async () => {
    try {
      await stack.writeEnv(env);
      const dify = `${(await readFile(join(stack.dir, '.env'), 'utf8')).replace(/^NGINX_HTTPS?_PORT=.*\n/gm, '')}EXPOSE_NGINX_PORT=${stack.httpsPort}\nEXPOSE_NGINX_SSL_PORT=${stack.httpsPort}\n`;
      await writeFile(join(stack.dir, '.env'), dify);
      const render = await stack.certkit(['render']);
      expect(render.code).toBe(2);
      expect(render.stderr).toContain(
        `EXPOSE_NGINX_SSL_PORT and EXPOSE_NGINX_PORT: both are ${stack.httpsPort}, but nginx needs one host port for HTTP`,
      );
      expect(render.stderr).toContain('set different ports, e.g. EXPOSE_NGINX_PORT=80 and EXPOSE_NGINX_SSL_PORT=443');
    } finally {
      await stack.writeEnv(env);
    }
  });

  it('equal HTTP and HTTPS ports are refused by `certkit render` (exit 2) before compose would recreate nginx', async () => {
    try {
      await stack.writeEnv({ ...env, NGINX_HTTP_PORT: String(stack.httpsPort) });
      const render = await stack.certkit(['render']);
      expect(render.code).toBe(2);
      expect(render.stderr).toMatch(/NGINX_HTTPS_PORT and NGINX_HTTP_PORT: both are \d+/);
    } finally {
      await stack.writeEnv(env);
    }
    expect((await served()).serial).toBeDefined();
  });

  // Reload mode (CERTKIT_NGINX_TLS=reload, and nginx before 1.15.9) holds for every site, not only the .env site: a site
  // of the sites file names its certificate by a fixed path, opened at reloads (a full handshake costs what it costs
  // with a static certificate), and its renewal is served after certkit's reload.
  it('CERTKIT_NGINX_TLS=reload: another site is served from a fixed path, and its renewal after a reload', async () => {
    const other = `other-${stack.project.slice(2)}.test`;
    const otherServed = (what: string, wanted: (serial: string) => boolean = () => true) =>
      waitUntil(
        what,
        async () => {
          const presented = await served(other).catch(() => undefined);
          return presented && presented.names.includes(other) && wanted(presented.serial) ? presented : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 1_000 },
      );
    try {
      await writeFile(join(stack.dir, 'sites.yaml'), `other:\n  host: ${other}\n`);
      await stack.writeEnv({ ...env, CERTKIT_NGINX_TLS: 'reload' });
      await stack.up();
      await waitForServed('nginx, recreated to load certificates at reloads, to serve HTTPS');
      const issued = await stack.certkit(['update']);
      expect(issued.code, `${issued.stdout}\n${issued.stderr}`).toBe(0);
      const first = await otherServed(`nginx to serve ${other}`);
      const tls = await stack.exec('nginx', ['cat', '/run/certkit-nginx/site-tls/other.conf']);
      expect(tls.stdout).toMatch(
        /^ssl_certificate \/\S+\/other\/tls\/current\.pem;\nssl_certificate_key \/\S+\/other\/tls\/current\.pem;\n$/,
      );

      const renewed = await stack.certkit(['update', 'other', '--force']);
      expect(renewed.code, `${renewed.stdout}\n${renewed.stderr}`).toBe(0);
      await otherServed(`nginx to serve ${other}'s renewal`, (serial) => serial !== first.serial);
    } finally {
      await rm(join(stack.dir, 'sites.yaml'), { force: true });
      await stack.writeEnv(env);
    }
  });
});

function httpGet(port: number, host: string, path: string): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host }, timeout: 5_000 }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
    });
    req.on('error', reject);
    req.end();
  });
}

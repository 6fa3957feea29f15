import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { request } from 'node:http';
import { probeCertificate } from './support/tls.js';
import { TestStack } from './support/stack.js';
import { runCommand } from './support/docker-cli.js';
import { waitUntil } from './support/wait.js';

const dockerMissing = inject('dockerMissing');

// With CERTKIT_DEPLOY_MODE=symlink the deployed cert/key are links into /etc/letsencrypt, which nginx does not mount:
// nginx serves bundle.pem, a regular file in every mode. And a bad .env never takes a serving nginx down.
describe.skipIf(dockerMissing !== '')('symlink deploy mode, nginx restarts and a bad .env on a serving stack', () => {
  let stack: TestStack;
  const env = { CERTKIT_DEPLOY_MODE: 'symlink' };

  beforeAll(async () => {
    stack = await TestStack.create({ env });
    await stack.up();
  });
  afterAll(async () => {
    if (stack) await stack.destroy();
  });

  const served = (name = stack.names[0] as string) => probeCertificate(stack.httpsPort, name);
  const waitForServed = (what: string, serial?: string) =>
    waitUntil(what, async () => {
      const presented = await served().catch(() => undefined);
      return presented && (serial === undefined || presented.serial === serial) ? presented : undefined;
    }, { timeoutMs: 90_000, intervalMs: 1_000 }).catch(async (error: Error) => {
      throw new Error(`${error.message}\n--- compose logs ---\n${await stack.logs()}`);
    });

  it('serves HTTPS, serves a renewal, and still serves it after nginx restarts; plain HTTP only redirects', async () => {
    await waitForServed('nginx to serve HTTPS in symlink mode');
    const deployed = await stack.exec('certbot', ['sh', '-c', `cd /etc/certkit/deploy/${stack.names[0]} && for f in *.pem; do if [ -L "$f" ]; then echo "$f link"; else echo "$f file"; fi; done`]);
    expect(deployed.stdout.split('\n').filter(Boolean).sort()).toEqual(['bundle.pem file', 'cert.pem link', 'chain.pem link', 'fullchain.pem link', 'privkey.pem link']);

    const update = await stack.certkit(['update', '--force', '--json']);
    expect(update.code, update.stderr).toBe(0);
    const renewed = (JSON.parse(update.stdout) as { serial: string }).serial;
    expect((await served()).serial).toBe(renewed);

    const restart = await runCommand('docker', ['restart', '-t', '10', await stack.containerId('nginx')]);
    expect(restart.code, restart.stderr).toBe(0);
    await waitForServed('nginx to serve the renewed certificate after a restart', renewed);
    const logs = await stack.compose(['logs', '--no-color', 'nginx']);
    expect(logs.stdout).not.toMatch(/nginx starts with the http site/);
    expect((await httpGet(stack.httpPort, stack.names[0] as string, '/')).status).toBe(301);
  });

  it('when nginx cannot load HTTPS though a certificate is deployed, plain HTTP refuses the site (503), not 200', async () => {
    const bundle = `/etc/certkit/deploy/${stack.names[0]}/bundle.pem`;
    const nginx = async () => runCommand('docker', ['restart', '-t', '10', await stack.containerId('nginx')]);
    expect((await stack.exec('certbot', ['sh', '-c', `cp ${bundle} /tmp/bundle.pem && echo broken > ${bundle}`])).code).toBe(0);
    expect((await nginx()).code).toBe(0);
    const fallback = await waitUntil('nginx to fall back to plain HTTP', async () => httpGet(stack.httpPort, stack.names[0] as string, '/').catch(() => undefined), { timeoutMs: 30_000, intervalMs: 500 });
    expect(fallback.status).toBe(503);
    expect((await httpGet(stack.httpPort, stack.names[0] as string, '/.well-known/acme-challenge/none')).status).toBe(404);
    expect((await stack.exec('certbot', ['sh', '-c', `cp /tmp/bundle.pem ${bundle}`])).code).toBe(0);
    expect((await nginx()).code).toBe(0);
    await waitForServed('nginx to serve HTTPS again once bundle.pem is whole');
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

  it.each([
    ['equal HTTP and HTTPS ports', () => ({ NGINX_HTTP_PORT: String(stack.httpsPort) }), /NGINX_HTTPS_PORT and NGINX_HTTP_PORT: both are/],
    ['a bad NGINX_BIND', () => ({ NGINX_BIND: '999.1.1.1' }), /NGINX_BIND: "999\.1\.1\.1" is not an IP address/],
    ['an upstream port out of range', () => ({ NGINX_UPSTREAM: 'http://web:99999' }), /NGINX_UPSTREAM: .* outside 1-65535/],
    ['a placeholder name on a public CA', () => ({ CERTBOT_DOMAIN: 'example.com', CERTBOT_SERVER: 'production' }), /is a placeholder/],
  ])('a bad .env (%s) and `docker compose up -d` again: refused, and nginx keeps serving HTTPS', async (_, values, message) => {
    const before = await served();
    const nginx = await stack.containerId('nginx');
    await stack.writeEnv({ ...env, ...values() });
    const up = await stack.compose(['up', '-d']);
    expect(up.code).not.toBe(0);
    const init = await stack.compose(['logs', '--no-color', '--tail', '20', 'certkit-init']);
    expect(init.stdout).toMatch(message);
    expect(await stack.containerId('nginx')).toBe(nginx);
    expect((await served()).serial).toBe(before.serial);
    await stack.writeEnv(env);
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

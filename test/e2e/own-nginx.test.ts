import { readFile, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { httpGet } from './support/http.js';
import { fetchPebbleRoot } from './support/pebble.js';
import { runCommand } from './support/docker-cli.js';
import { TestStack } from './support/stack.js';
import { chainsTo, probeCertificate } from './support/tls.js';
import { waitUntil } from './support/wait.js';

const dockerMissing = inject('dockerMissing');

// Mode own: an app shaped like Dify's docker/ keeps its nginx and its routing; certkit joins through
// compose.own-nginx.yaml and two include lines, with a Dify-style .env. `up` alone ends with HTTPS on every route.
describe.skipIf(dockerMissing !== '')("certkit drives an app's own nginx", () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.create({ fixture: 'own-nginx', composeFiles: ['docker-compose.yaml', 'compose.own-nginx.yaml'] });
    // Dify's names, as its .env sets them; certkit's CERTKIT_NGINX_MODE too, for the CLI run on the host.
    await stack.writeEnv({
      CERTBOT_DOMAIN: stack.names.join(','),
      CERTBOT_OPTIONS: '',
      NGINX_SERVER_NAME: '_',
      NGINX_HTTPS_ENABLED: 'false',
      NGINX_PORT: '80',
      NGINX_SSL_PORT: '443',
      NGINX_SSL_CERT_FILENAME: 'fullchain.pem',
      NGINX_SSL_CERT_KEY_FILENAME: 'privkey.pem',
      NGINX_SSL_PROTOCOLS: 'TLSv1.2 TLSv1.3',
      NGINX_ENABLE_CERTBOT_CHALLENGE: 'false',
      NGINX_PROXY_READ_TIMEOUT: '3600s',
      EXPOSE_NGINX_PORT: String(stack.httpPort),
      EXPOSE_NGINX_SSL_PORT: String(stack.httpsPort),
      CERTKIT_NGINX_MODE: 'own',
      // certbot's store in a folder of the app, where Dify's certbot keeps it.
      CERTKIT_LETSENCRYPT_DIR: './volumes/certbot/conf',
    });
  });
  afterAll(async () => {
    if (stack) await stack.destroy();
  });

  it('before certkit runs (no certbot profile), the app serves plain HTTP on every route, with certkit-init done', async () => {
    await stack.up(['pebble']);
    const name = stack.names[0] as string;
    const api = await waitUntil('the app nginx to answer HTTP', async () => httpGet(stack.httpPort, name, '/api/x'), { timeoutMs: 30_000 });
    expect(api).toMatchObject({ status: 200, body: 'api /api/x\n' });
    expect(await httpGet(stack.httpPort, name, '/')).toMatchObject({ status: 200, body: 'web /\n' });
    await expect(probeCertificate(stack.httpsPort, name)).rejects.toThrow();
  });

  it('`up` with the certbot profile ends with HTTPS and a Pebble certificate for every name, no manual step', async () => {
    await stack.up();
    const first = stack.names[0] as string;
    const presented = await waitUntil(
      'the app nginx to serve HTTPS',
      async () => probeCertificate(stack.httpsPort, first).catch(() => undefined),
      {
        timeoutMs: 120_000,
        intervalMs: 1_000,
      },
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\n--- compose logs ---\n${await stack.logs()}`);
    });
    expect(presented.names.sort()).toEqual([...stack.names].sort());
    const root = await fetchPebbleRoot(stack);
    for (const name of stack.names) expect(chainsTo(await probeCertificate(stack.httpsPort, name), root)).toBe(true);
  });

  it("keeps the app's routing: each path reaches its own service over HTTPS", async () => {
    for (const name of stack.names) {
      expect(await httpGet(stack.httpsPort, name, '/api/v1/ping?x=1', { tls: true })).toMatchObject({
        status: 200,
        body: 'api /api/v1/ping?x=1\n',
      });
      expect(await httpGet(stack.httpsPort, name, '/apps', { tls: true })).toMatchObject({ status: 200, body: 'web /apps\n' });
      expect(await httpGet(stack.httpsPort, name, '/', { tls: true })).toMatchObject({ status: 200, body: 'web /\n' });
    }
  });

  it('redirects plain HTTP to HTTPS on every route except the ACME challenge', async () => {
    const name = stack.names[1] as string;
    for (const path of ['/api/v1/ping?x=1', '/apps', '/']) {
      expect(await httpGet(stack.httpPort, name, path)).toMatchObject({
        status: 301,
        location: `https://${name}:${stack.httpsPort}${path}`,
      });
    }
    expect((await httpGet(stack.httpPort, name, '/.well-known/acme-challenge/missing-token')).status).toBe(404);
  });

  it('started nginx plain HTTP before the certificate existed: it never crashed', async () => {
    const id = await stack.containerId('nginx');
    const inspected = await runCommand('docker', ['inspect', '-f', '{{.RestartCount}}', id]);
    expect(inspected.stdout.trim()).toBe('0');
  });

  it('a forced renewal is checked with nginx -t, reloaded and verified', async () => {
    const name = stack.names[0] as string;
    const before = (await probeCertificate(stack.httpsPort, name)).serial;
    const result = await stack.certkit(['update', '--force', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as { action: string; serial: string; reloaded: boolean };
    expect(json).toMatchObject({ action: 'renewed', reloaded: true });
    expect(json.serial).not.toBe(before);
    // certkit looked again once the old workers drained: every fresh handshake now gets the renewed certificate.
    for (const entry of stack.names) expect((await probeCertificate(stack.httpsPort, entry)).serial).toBe(json.serial);
  });

  it("takes over a store whose renewal conf names another webroot (Dify's /var/www/html): nothing reissued, then renewals go through certkit's", async () => {
    const certName = stack.names[0] as string;
    const store = join(stack.dir, 'volumes/certbot/conf');
    const confPath = join(store, 'renewal', `${certName}.conf`);
    // What Dify's certbot leaves: the same store layout, validated through its own webroot.
    const likeDify = async () => writeFile(confPath, (await readFile(confPath, 'utf8')).replaceAll('/var/www/certbot', '/var/www/html'));
    await likeDify();
    const served = (await probeCertificate(stack.httpsPort, certName)).serial;
    const kept = await stack.certkit(['update', '--json']);
    expect(kept.code, kept.stderr).toBe(0);
    expect(JSON.parse(kept.stdout)).toMatchObject({ action: 'unchanged', serial: served });
    const status = await stack.certkit(['status', '--json']);
    expect(status.code, status.stdout + status.stderr).toBe(0);

    await likeDify();
    const renewed = await stack.certkit(['update', '--force', '--json']);
    expect(renewed.code, renewed.stderr).toBe(0);
    const json = JSON.parse(renewed.stdout) as { action: string; serial: string; reasons: string[] };
    expect(json.action).toBe('renewed');
    expect(json.reasons.join('; ')).toContain('validates through /var/www/certbot, not /var/www/html');
    expect(await readFile(confPath, 'utf8')).not.toContain('/var/www/html');
    // The same lineage, one version further (issued, renewed once above, renewed now).
    expect(await readlink(join(store, 'live', certName, 'cert.pem'))).toBe(`../../archive/${certName}/cert3.pem`);
    expect((await probeCertificate(stack.httpsPort, certName)).serial).toBe(json.serial);
  });

  it('an nginx service under another name: rename the key in the copied file, set CERTKIT_NGINX_SERVICE, and Compose accepts it', async () => {
    // docs/dify.md: "If the nginx service is not called nginx, rename the nginx: key ... and set CERTKIT_NGINX_SERVICE".
    const rename = async (file: string) =>
      writeFile(join(stack.dir, `renamed-${file}`), (await readFile(join(stack.dir, file), 'utf8')).replace(/^ {2}nginx:/m, '  gateway:'));
    await rename('docker-compose.yaml');
    await rename('compose.own-nginx.yaml');
    const [command, ...prefix] = inject('composeCommand');
    const files = ['-f', 'renamed-docker-compose.yaml', '-f', 'renamed-compose.own-nginx.yaml', '--profile', 'certbot'];
    const result = await runCommand(command as string, [...prefix, ...files, 'config', '--services'], {
      cwd: stack.dir,
      env: { ...stack.composeEnv(), CERTKIT_NGINX_SERVICE: 'gateway' },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split('\n')).toEqual(expect.arrayContaining(['gateway', 'certkit']));
  });

  it('a new nginx container serves HTTPS from its start: the switch lives beside the certificate', async () => {
    const name = stack.names[0] as string;
    const serial = (await probeCertificate(stack.httpsPort, name)).serial;
    const recreated = await stack.compose(['up', '-d', '--no-deps', '--force-recreate', 'nginx']);
    expect(recreated.code, recreated.stderr).toBe(0);
    const served = await waitUntil(
      'the new nginx to serve HTTPS',
      async () => probeCertificate(stack.httpsPort, name).catch(() => undefined),
      {
        timeoutMs: 30_000,
      },
    );
    expect(served.serial).toBe(serial);
    expect(await httpGet(stack.httpsPort, name, '/api/x', { tls: true })).toMatchObject({ status: 200, body: 'api /api/x\n' });
  });
});

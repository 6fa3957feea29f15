import { cp, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { removeProject, runCommand } from './support/docker-cli.js';
import { httpGet } from './support/http.js';
import { REPO, TestStack } from './support/stack.js';
import { probeCertificate } from './support/tls.js';
import { waitUntil } from './support/wait.js';

const dockerMissing = inject('dockerMissing');

/** Asks the test CA's DNS to answer this name with an address (127.0.0.1: nothing of this stack listens there). */
const CHALLTESTSRV = (path: string) =>
  `import json,sys,urllib.request; urllib.request.urlopen(urllib.request.Request("http://pebble-challtestsrv:8055/${path}", data=json.dumps({"host": sys.argv[1] + ".", "addresses": ["127.0.0.1"]}).encode(), method="POST"), timeout=10).read()`;

// How nginx's entrypoint links a labelled site (link_sites): to its HTTPS file only once that site's own certificate
// exists. A site whose certificate cannot be issued yet is served over plain HTTP, nginx keeps running and serving
// the other sites, and the site moves to HTTPS when its certificate is issued. (The entrypoint once read the ACME
// webroot's `root`, a folder that always exists, and linked every site to HTTPS before its certificate.)
describe.skipIf(dockerMissing !== '')('site links: a labelled site is linked to HTTPS only once its own certificate exists', () => {
  let stack: TestStack;
  let appProject: string;
  let shop: string;
  let late: string;
  let lateSite: string;

  const app = (args: readonly string[]) => {
    const [command, ...prefix] = inject('composeCommand');
    return runCommand(command as string, [...prefix, '-p', appProject, '-f', 'compose.sites-app.yaml', ...args], {
      cwd: stack.dir,
      env: {
        ...stack.composeEnv(),
        SHOP_HOSTS: shop,
        LOST_HOSTS: late,
        WIKI_HOSTS: `unused-wiki-${stack.project}.test`,
        BROKEN_HOSTS: `unused-broken-${stack.project}.test`,
        STACK: stack.project,
        CERTKIT_SITES_NETWORK: `${stack.project}-sites`,
      },
      timeoutMs: 240_000,
    });
  };
  /** Where nginx's link for a site leads (the file under /etc/certkit/nginx/sites/), read in the nginx container. */
  const linkOf = async (site: string) => (await stack.exec('nginx', ['readlink', `/run/certkit-nginx/sites/${site}.conf`])).stdout.trim();
  const nginxState = async () => {
    const inspect = await runCommand('docker', [
      'inspect',
      '-f',
      '{{.State.Status}} {{.RestartCount}} {{.State.StartedAt}}',
      await stack.containerId('nginx'),
    ]);
    return inspect.stdout.trim();
  };

  beforeAll(async () => {
    stack = await TestStack.create();
    appProject = `${stack.project}app`;
    const id = stack.project.slice(2);
    shop = `shop-${id}.test`;
    late = `late-${id}.test`;
    lateSite = `${appProject}-lost`;
    await mkdir(join(stack.dir, 'app'));
    await cp(join(REPO, 'test/e2e/fixtures/fronting/echo-service.py'), join(stack.dir, 'app/echo-service.py'));
    await cp(join(REPO, 'test/e2e/fixtures/sites/compose.sites-app.yaml'), join(stack.dir, 'compose.sites-app.yaml'));
    await stack.up();
    await waitUntil('the .env site served', () => probeCertificate(stack.httpsPort, stack.names[0] as string), {
      timeoutMs: 120_000,
      intervalMs: 1_000,
    });
    // The late site's name leads the CA nowhere for now: its validation fails and it has no certificate.
    const pointed = await stack.exec('certbot', ['python3', '-c', CHALLTESTSRV('add-a'), late]);
    expect(pointed.code, pointed.stderr).toBe(0);
    const up = await app(['up', '-d', 'shop', 'lost']);
    expect(up.code, up.stderr).toBe(0);
  });
  afterEach(async (context) => {
    if (context.task.result?.state === 'fail' && stack) console.log(`--- logs after "${context.task.name}":\n${await stack.logs()}`);
  });
  afterAll(async () => {
    if (appProject) await removeProject(appProject);
    if (stack) await stack.destroy();
  });

  it('serves a site with no certificate yet over plain HTTP, while nginx keeps running and serving the other sites', async () => {
    const nginxBefore = await nginxState();
    const shopCert = await waitUntil(
      `a certificate for ${shop}`,
      async () => {
        const presented = await probeCertificate(stack.httpsPort, shop);
        return presented.names.includes(shop) ? presented : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 1_000 },
    );
    expect(shopCert.names).toEqual([shop]);
    // The late site's own run has failed (the daemon tried it when its container started): it has no certificate.
    const failed = await stack.certkit(['update', lateSite]);
    expect(failed.code, failed.stderr).toBe(1);
    expect(await linkOf(lateSite)).toBe(`/etc/certkit/nginx/sites/${lateSite}.http.conf`);
    expect(await linkOf(`${appProject}-shop`)).toBe(`/etc/certkit/nginx/sites/${appProject}-shop.https.conf`);
    // Plain HTTP reaches its app (not a redirect to an HTTPS that has no certificate); no handshake gives it one.
    const plain = await httpGet(stack.httpPort, late, '/');
    expect(plain.status, plain.body).toBe(200);
    // The proxy settings the sites share (set once, at http level) reach its app.
    expect(JSON.parse(plain.body)).toMatchObject({ service: 'lost', headers: { Host: late, 'X-Forwarded-Proto': 'http' } });
    await expect(probeCertificate(stack.httpsPort, late)).rejects.toThrow();
    // nginx never restarted, and the other sites are served as before.
    expect(await nginxState()).toBe(nginxBefore);
    expect((await probeCertificate(stack.httpsPort, shop)).serial).toBe(shopCert.serial);
    expect((await httpGet(stack.httpsPort, shop, '/', { tls: true })).status).toBe(200);
    expect((await httpGet(stack.httpPort, shop, '/')).status).toBe(301);
    expect((await probeCertificate(stack.httpsPort, stack.names[0] as string)).names.sort()).toEqual([...stack.names].sort());
  });

  it('links the site to HTTPS once its certificate is issued: its certificate served, plain HTTP redirected', async () => {
    const cleared = await stack.exec('certbot', ['python3', '-c', CHALLTESTSRV('clear-a'), late]);
    expect(cleared.code, cleared.stderr).toBe(0);
    const update = await stack.certkit(['update', lateSite]);
    expect(update.code, update.stderr).toBe(0);
    expect(await linkOf(lateSite)).toBe(`/etc/certkit/nginx/sites/${lateSite}.https.conf`);
    expect((await probeCertificate(stack.httpsPort, late)).names).toEqual([late]);
    const secure = await httpGet(stack.httpsPort, late, '/', { tls: true });
    expect(secure.status, secure.body).toBe(200);
    expect(JSON.parse(secure.body)).toMatchObject({ service: 'lost', headers: { Host: late, 'X-Forwarded-Proto': 'https' } });
    const plain = await httpGet(stack.httpPort, late, '/');
    expect(plain.status).toBe(301);
    expect(plain.location?.startsWith(`https://${late}`), plain.location).toBe(true);
  });
});

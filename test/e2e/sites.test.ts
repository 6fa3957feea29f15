import { cp, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { removeProject, runCommand } from './support/docker-cli.js';
import { httpGet } from './support/http.js';
import { REPO, TestStack } from './support/stack.js';
import { httpsGet, probeCertificate } from './support/tls.js';
import { waitUntil } from './support/wait.js';

const dockerMissing = inject('dockerMissing');

// Several sites on one stack: the .env site, and an app of its own (another Compose project) announcing two sites by
// labels on its services, plus a service whose label is wrong. One stack, in order, as a user's server goes.
describe.skipIf(dockerMissing !== '')('sites: a certificate per site, announced by labels on the app services', () => {
  let stack: TestStack;
  let appProject: string;
  let shop: string;
  let wiki: string;
  let lost: string;
  const hosts: Record<string, string> = {};

  const app = (args: readonly string[]) => {
    const [command, ...prefix] = inject('composeCommand');
    return runCommand(command as string, [...prefix, '-p', appProject, '-f', 'compose.sites-app.yaml', ...args], {
      cwd: stack.dir,
      env: { ...stack.composeEnv(), ...hosts, STACK: stack.project, CERTKIT_SITES_NETWORK: `${stack.project}-sites` },
      timeoutMs: 240_000,
    });
  };
  const appUp = async () => {
    const result = await app(['up', '-d']);
    expect(result.code, result.stderr).toBe(0);
  };
  const served = (name: string, wanted: (names: string[]) => boolean = () => true) =>
    waitUntil(
      `a certificate for ${name}`,
      async () => {
        const presented = await probeCertificate(stack.httpsPort, name);
        return wanted(presented.names) ? presented : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 1_000 },
    );
  const echo = async (name: string) => {
    const response = await httpsGet(stack.httpsPort, name, '/');
    expect(response.status, response.body).toBe(200);
    return JSON.parse(response.body) as { service: string };
  };

  // The test CA's DNS answers every name with nginx; this sends one to the CA's own loopback, where nothing listens.
  const pointAtNothing = async (name: string) => {
    const pointed = await stack.exec('certbot', [
      'python3',
      '-c',
      'import json,sys,urllib.request; urllib.request.urlopen(urllib.request.Request("http://pebble-challtestsrv:8055/add-a", data=json.dumps({"host": sys.argv[1] + ".", "addresses": ["127.0.0.1"]}).encode(), method="POST"), timeout=10).read()',
      name,
    ]);
    expect(pointed.code, pointed.stderr).toBe(0);
  };

  beforeAll(async () => {
    stack = await TestStack.create({ env: { CERTKIT_SITE_GRACE: '0' } });
    appProject = `${stack.project}app`;
    const id = stack.project.slice(2);
    shop = `shop-${id}.test`;
    wiki = `wiki-${id}.test`;
    lost = `lost-${id}.test`;
    Object.assign(hosts, { SHOP_HOSTS: shop, WIKI_HOSTS: wiki, BROKEN_HOSTS: `broken-${id}.test`, LOST_HOSTS: lost });
    await mkdir(join(stack.dir, 'app'));
    await cp(join(REPO, 'test/e2e/fixtures/fronting/echo-service.py'), join(stack.dir, 'app/echo-service.py'));
    await cp(join(REPO, 'test/e2e/fixtures/sites/compose.sites-app.yaml'), join(stack.dir, 'compose.sites-app.yaml'));
    await stack.up();
    await served(stack.names[0] as string);
    await pointAtNothing(lost);
    await appUp();
  });
  afterEach(async (context) => {
    if (context.task.result?.state === 'fail' && stack) console.log(`--- logs after "${context.task.name}":\n${await stack.logs()}`);
  });
  afterAll(async () => {
    if (appProject) await removeProject(appProject);
    if (stack) await stack.destroy();
  });

  it('serves each labelled site its own certificate, holding only its names, routed to its own service', async () => {
    const [shopCert, wikiCert] = await Promise.all([
      served(shop, (names) => names.includes(shop)),
      served(wiki, (names) => names.includes(wiki)),
    ]);
    expect(shopCert.names).toEqual([shop]);
    expect(wikiCert.names).toEqual([wiki]);
    expect(shopCert.serial).not.toBe(wikiCert.serial);
    const envCert = await probeCertificate(stack.httpsPort, stack.names[0] as string);
    expect(envCert.names.sort()).toEqual([...stack.names].sort());
    expect((await echo(shop)).service).toBe('shop');
    expect((await echo(wiki)).service).toBe('wiki');
  });

  it('fails a site whose name does not reach this server alone: the others are issued, and it is named with the cause', async () => {
    const update = await stack.certkit(['update', `${appProject}-lost`]);
    expect(update.code).toBe(1);
    expect(update.stderr).toMatch(new RegExp(`1 site failed: ${appProject}-lost`));
    expect(update.stdout).toMatch(new RegExp(`site ${appProject}-lost: FAILED`));
    const rows = JSON.parse((await stack.certkit(['sites', '--json'])).stdout) as Array<{ site: string; state: string }>;
    expect(rows.find((row) => row.site === `${appProject}-lost`)?.state).toBe('not issued');
    expect(rows.filter((row) => row.state === 'serving').map((row) => row.site)).toEqual(
      expect.arrayContaining([stack.names[0], `${appProject}-shop`, 'wiki']),
    );
    expect(await stack.logs()).toMatch(new RegExp(`site ${appProject}-lost \\(${lost.replace(/\./g, '\\.')}\\): `));
    // status: a row per site and certificate; the lost site is a row with its problem, so the health check says not fine.
    const status = await stack.certkit(['status', '--json']);
    expect(status.code).toBe(1);
    const entries = JSON.parse(status.stdout) as Array<{ site: string | null; serial: string | null; problems: string[] }>;
    expect(entries.find((entry) => entry.site === `${appProject}-lost`)).toMatchObject({
      serial: null,
      problems: [expect.stringMatching(new RegExp(`site ${appProject}-lost \\(declared in service .*\\) has no certificate yet`))],
    });
    for (const site of [stack.names[0], `${appProject}-shop`, 'wiki']) {
      expect(entries.find((entry) => entry.site === site)?.problems, site).toEqual([]);
    }
  });

  it('refuses the service with a wrong label alone, and certkit sites says where, what and the fix', async () => {
    const result = await stack.certkit(['sites']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`${stack.project.slice(2)}`));
    expect(result.stdout).toMatch(/wiki\s+serving/);
    expect(result.stdout).toMatch(
      /service broken of project \S+ \(container \S+\): certkit\.prot="3000" is not a certkit label; did you mean certkit\.port\?/,
    );
    const json = JSON.parse((await stack.certkit(['sites', '--json'])).stdout) as Array<{
      site: string;
      state: string;
      declaredIn: string[];
    }>;
    expect(json.map((row) => [row.site, row.state])).toEqual(
      expect.arrayContaining([
        [stack.names[0], 'serving'],
        [`${appProject}-shop`, 'serving'],
        ['wiki', 'serving'],
      ]),
    );
    expect(json.find((row) => row.site === 'wiki')?.declaredIn[0]).toMatch(/^service wiki of project /);
  });

  it('gives a name of no site neither a certificate nor an app: the handshake is refused, plain HTTP says 404', async () => {
    await expect(probeCertificate(stack.httpsPort, `nobody-${stack.project}.test`)).rejects.toThrow();
    const answer = await httpGet(stack.httpPort, `nobody-${stack.project}.test`, '/');
    expect(answer.status).toBe(404);
    expect(answer.body).toMatch(/no site is declared for this name/);
  });

  it('stops serving a site whose container stopped (grace 0), keeps its certificate, and serves it again at start', async () => {
    const before = await probeCertificate(stack.httpsPort, wiki);
    expect((await app(['stop', 'wiki'])).code).toBe(0);
    await waitUntil(
      'the wiki site to be dropped',
      async () => ((await probeCertificate(stack.httpsPort, wiki).catch(() => undefined)) ? undefined : true),
      {
        timeoutMs: 60_000,
        intervalMs: 1_000,
      },
    );
    expect(await stack.listDir('certbot', '/etc/letsencrypt/live')).toContain('wiki');
    expect((await probeCertificate(stack.httpsPort, shop)).names).toEqual([shop]);
    expect((await app(['start', 'wiki'])).code).toBe(0);
    const again = await served(wiki, (names) => names.includes(wiki));
    expect(again.serial).toBe(before.serial);
  });

  it("expands and shrinks a site's names on the same lineage, never a -0001", async () => {
    const more = `www.${shop}`;
    hosts['SHOP_HOSTS'] = `${shop},${more}`;
    await appUp();
    expect((await served(more, (names) => names.includes(more))).names.sort()).toEqual([shop, more].sort());
    hosts['SHOP_HOSTS'] = more;
    await appUp();
    await served(more, (names) => !names.includes(shop));
    const live = await stack.listDir('certbot', '/etc/letsencrypt/live');
    expect(live.filter((name) => name.startsWith(`${appProject}-shop`))).toEqual([`${appProject}-shop`]);
  });

  it('backs the .env site off alone in the daemon: named in its log, not tried again before its time, the other sites served', async () => {
    const envSite = stack.names[0] as string;
    const added = `envlost-${stack.project.slice(2)}.test`;
    await pointAtNothing(added);
    await stack.writeEnv({ CERTKIT_SITE_GRACE: '0', CERTBOT_DOMAIN: [...stack.names, added].join(',') });
    try {
      const quoted = envSite.replace(/\./g, '\\.');
      const daemonLog = async () => (await stack.compose(['logs', '--no-color', 'certkit'])).stdout;
      // A labelled container restarting wakes the daemon, whose check reads .env afresh: the .env site's new name fails.
      expect((await app(['restart', 'wiki'])).code).toBe(0);
      await waitUntil(
        'the .env site to back off alone',
        async () =>
          new RegExp(`site ${quoted} failed \\(\\w+\\), 1 time in a row: it backs off alone`).test(await daemonLog()) ? true : undefined,
        { timeoutMs: 90_000, intervalMs: 1_000 },
      );
      // Woken again within its minute: the .env site waits (no second attempt), the wiki site is served again.
      expect((await app(['restart', 'wiki'])).code).toBe(0);
      const log = await waitUntil(
        'a check in which the .env site waits',
        async () => {
          const text = await daemonLog();
          return text.includes(`${envSite} waits (failed 1 time in a row; next try at`) ? text : undefined;
        },
        { timeoutMs: 90_000, intervalMs: 1_000 },
      );
      const since = log.slice(log.search(new RegExp(`site ${quoted} failed \\(\\w+\\), 1 time in a row`)));
      const waited = since.indexOf(`${envSite} waits (failed 1 time in a row`);
      const second = since.search(new RegExp(`site ${quoted} failed \\(\\w+\\), 2 times in a row`));
      expect(second === -1 || second > waited, since).toBe(true);
      // The check itself did not fail: the .env site's failure is its own, as any other site's.
      expect(since).not.toMatch(/check failed \(\d+ in a row\)/);
      await served(wiki, (names) => names.includes(wiki));
      expect((await probeCertificate(stack.httpsPort, envSite)).names.sort()).toEqual([...stack.names].sort());
    } finally {
      await stack.writeEnv({ CERTKIT_SITE_GRACE: '0', CERTBOT_DOMAIN: stack.names.join(',') });
    }
  });
});

import { randomBytes } from 'node:crypto';
import { chmod, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { removeProject, runCommand } from './support/docker-cli.js';
import { TSIG_KEY, writeDnsSide } from './support/dns-side.js';
import { REPO, TestStack } from './support/stack.js';
import { httpsGet, probeCertificate } from './support/tls.js';

const dockerMissing = inject('dockerMissing');

// A DNS-01 wildcard site beside an HTTP-01 site, both announced by labels, on a stack whose .env site is DNS-01: the
// wildcard's TXT records go to bind with the TSIG key, the plain name is validated over HTTP through nginx (bind
// answers it with nginx's fixed address). `certkit update` issues all three; each is served its own certificate.
describe.skipIf(dockerMissing !== '')('sites: a DNS-01 wildcard site beside an HTTP-01 site', () => {
  let stack: TestStack;
  let secretsDir: string;
  let appProject: string;
  let zone: string;
  const env: Record<string, string> = {};

  beforeAll(async () => {
    stack = await TestStack.create({ names: 1 });
    zone = stack.names[0] as string;
    appProject = `${stack.project}app`;
    const secret = randomBytes(32).toString('base64');
    const { address } = await writeDnsSide(stack, zone, secret, {
      challengeNames: [`wild.${zone}`],
      records: (subnet) => `plain IN A ${subnet}.80\n`,
      // nginx on a fixed address of the zone's subnet, so bind can send the CA's HTTP-01 request for plain.ZONE to it.
      services: (subnet) =>
        `  nginx:\n    networks:\n      default:\n        ipv4_address: ${subnet}.80\n      sites: {}\n      edge: {}\n`,
    });
    secretsDir = await mkdtemp(join(tmpdir(), 'certkit-e2e-secrets-'));
    const credentials = join(secretsDir, 'rfc2136.ini');
    await writeFile(
      credentials,
      `dns_rfc2136_server = ${address}\ndns_rfc2136_port = 53\ndns_rfc2136_name = ${TSIG_KEY}\ndns_rfc2136_secret = ${secret}\ndns_rfc2136_algorithm = HMAC-SHA512\n`,
    );
    await chmod(credentials, 0o600);
    await stack.writeEnv({
      CERTBOT_DOMAIN: zone,
      CERTBOT_CHALLENGE: 'dns',
      CERTBOT_DNS_PLUGIN: 'rfc2136',
      CERTBOT_DNS_CREDENTIALS: credentials,
      CERTBOT_DNS_PROPAGATION_SECONDS: '1',
      CERTBOT_IMAGE: inject('images')['CERTKIT_TEST_CERTBOT_DNS_IMAGE'] as string,
    });
    await mkdir(join(stack.dir, 'app'));
    await cp(join(REPO, 'test/e2e/fixtures/fronting/echo-service.py'), join(stack.dir, 'app/echo-service.py'));
    await cp(join(REPO, 'test/e2e/fixtures/sites/compose.dns-app.yaml'), join(stack.dir, 'compose.dns-app.yaml'));
    const up = await stack.compose(['up', '-d', 'bind9', 'nginx', 'certbot', 'pebble', 'pebble-challtestsrv']);
    expect(up.code, up.stderr).toBe(0);
    Object.assign(env, {
      ...stack.composeEnv(),
      WILD_HOSTS: `*.wild.${zone}`,
      PLAIN_HOSTS: `plain.${zone}`,
      STACK: stack.project,
      CERTKIT_SITES_NETWORK: `${stack.project}-sites`,
    });
    const [command, ...prefix] = inject('composeCommand');
    const app = await runCommand(command as string, [...prefix, '-p', appProject, '-f', 'compose.dns-app.yaml', 'up', '-d'], {
      cwd: stack.dir,
      env,
      timeoutMs: 240_000,
    });
    expect(app.code, app.stderr).toBe(0);
  });
  afterAll(async () => {
    if (appProject) await removeProject(appProject);
    if (stack) await stack.destroy();
    if (secretsDir) await rm(secretsDir, { recursive: true, force: true });
  });

  it('issues the .env site, the wildcard site over DNS-01 and the plain site over HTTP-01, each its own certificate', async () => {
    const result = await stack.certkit(['update', '--json']);
    expect(result.code, `${result.stdout}\n${result.stderr}\n${await stack.logs()}`).toBe(0);
    const json = JSON.parse(result.stdout) as {
      action: string;
      others: Array<{ site: string; result?: { action: string; serial: string } }>;
    };
    expect(json.action).toBe('issued');
    expect(json.others.map((outcome) => [outcome.site, outcome.result?.action])).toEqual([
      ['plain', 'issued'],
      ['wild', 'issued'],
    ]);
    const any = await probeCertificate(stack.httpsPort, `x${randomBytes(3).toString('hex')}.wild.${zone}`);
    expect(any.names).toEqual([`*.wild.${zone}`]);
    expect((await probeCertificate(stack.httpsPort, `plain.${zone}`)).names).toEqual([`plain.${zone}`]);
    expect((await probeCertificate(stack.httpsPort, zone)).names).toEqual([zone]);
    const wild = await httpsGet(stack.httpsPort, `a.wild.${zone}`, '/');
    expect(JSON.parse(wild.body)).toMatchObject({ service: 'wild' });
    const conf = await stack.exec('certbot', ['cat', '/etc/letsencrypt/renewal/wild.conf']);
    expect(conf.stdout).toMatch(/^authenticator = dns-rfc2136$/m);
    const plainConf = await stack.exec('certbot', ['cat', '/etc/letsencrypt/renewal/plain.conf']);
    expect(plainConf.stdout).toMatch(/^authenticator = webroot$/m);
  });
});

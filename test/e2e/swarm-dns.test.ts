import { randomBytes, randomInt } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  deploySwarmBed,
  docker,
  ensureSwarm,
  FORWARDER,
  leaveSwarm,
  nginxReplicas,
  prepareSwarmBed,
  removeSwarmBed,
  serviceContainer,
  type SwarmBed,
  type SwarmJoined,
} from '../../bench/swarm-bed.js';
import type { Site } from '../../src/sites/site.js';
import { renderSwarmNginx } from '../../src/swarm/render-swarm-nginx.js';
import { runCommand, type CommandResult } from './support/docker-cli.js';
import { rfc2136Credentials, writeBindFiles } from './support/dns-side.js';
import { appService, servedSerials, storeSerial, WEB_SITE } from './support/swarm-sites.js';
import { probeCertificate } from './support/tls.js';

const dockerMissing = inject('dockerMissing');
const REPO = join(import.meta.dirname, '..', '..');
const ZONE = 'zone.swarm.certkit.test';
const PLAIN = `plain.${ZONE}`;
const DENIED = `*.denied.${ZONE}`;
/** The .env site: the zone and its wildcard, over DNS-01. */
const WILD_SITE: Site = {
  ...WEB_SITE,
  names: [ZONE, `*.${ZONE}`],
  challenge: { type: 'dns', plugin: 'rfc2136', credentials: 'x', propagationSeconds: 1 },
};

// DNS-01 on a single-node Swarm, driven by `certkit update` (the built CLI, CERTKIT_SWARM_STACK) exactly as on Compose:
// the .env site is the zone and its wildcard over DNS-01 (dns-rfc2136 against bind9 with a TSIG key), an app's
// deploy.labels add an HTTP-01 site (plain.ZONE, which bind answers with the address of a forwarder standing in for
// the routing mesh in front of nginx) and a DNS-01 wildcard site whose name the key may not change (bind refuses the
// update: the credentials do not cover it). The credentials reach the certbot task as a Swarm secret from
// compose.swarm-dns.yaml. The two good sites are issued, rotated into every nginx replica and served through the
// published port; the third fails alone, with certbot's own reason, at every run.
describe.skipIf(dockerMissing !== '')('swarm: DNS-01 sites beside HTTP-01 sites', () => {
  let swarm: SwarmJoined | undefined;
  let bed: SwarmBed;
  let project: string;
  let secretsDir: string;
  const tsigSecret = randomBytes(32).toString('base64');
  const subnet = `10.213.${randomInt(0, 256)}`;
  const bindAddress = `${subnet}.250`;
  const edgeAddress = `${subnet}.251`;
  const extraContainers: string[] = [];
  const certkit = (args: string[]): Promise<CommandResult> =>
    runCommand(process.execPath, [join(REPO, 'bin/certkit.js'), ...args], {
      cwd: project,
      env: { ...process.env, CI: '' },
      timeoutMs: 400_000,
    });

  beforeAll(async () => {
    swarm = await ensureSwarm();
    bed = prepareSwarmBed({ site: WILD_SITE });
    const images = inject('images');
    const dnsImage = images['CERTKIT_TEST_CERTBOT_DNS_IMAGE'] as string;
    secretsDir = await mkdtemp(join(tmpdir(), 'certkit-swarm-dns-secrets-'));
    const credentials = join(secretsDir, 'rfc2136.ini');
    await writeFile(credentials, rfc2136Credentials(bindAddress, tsigSecret));
    await chmod(credentials, 0o600);
    await deploySwarmBed(bed, {
      images: { ...images, CERTBOT_IMAGE: dnsImage },
      legacy: inject('stack') === 'legacy',
      renderNginx: (sites) => renderSwarmNginx(sites),
      monitor: '2s',
      subnet,
      pebbleDns: `${bindAddress}:53`,
      stackFiles: ['compose.swarm-dns.yaml'],
      deployEnv: { CERTBOT_DNS_CREDENTIALS: credentials },
      services: {
        plain: appService(images['CERTKIT_NODE_IMAGE'], 'plain over HTTP-01\n', { 'certkit.host': PLAIN, 'certkit.site': 'plain' }),
        denied: appService(images['CERTKIT_NODE_IMAGE'], 'denied\n', {
          'certkit.host': DENIED,
          'certkit.site': 'denied',
          'certkit.challenge': 'dns',
        }),
      },
    });
    // bind9 and the port-80 edge on fixed addresses of the stack's network (a DNS plugin wants an IP address; bind's
    // record for plain.ZONE points at the edge, which passes connections to nginx's tasks, as the routing mesh would).
    await writeBindFiles(join(bed.dir as string, 'bind'), ZONE, tsigSecret, bindAddress, { records: `plain IN A ${edgeAddress}\n` });
    for (const [suffix, address, argv] of [
      ['bind', bindAddress, ['-v', `${join(bed.dir as string, 'bind')}:/etc/certkit-dns`, images['CERTKIT_TEST_BIND9_IMAGE'] as string]],
      [
        'edge80',
        edgeAddress,
        [
          '-e',
          'TARGET=nginx',
          '-e',
          'TARGET_PORT=80',
          '-e',
          'LISTEN_PORT=80',
          images['CERTKIT_NODE_IMAGE'] as string,
          'node',
          '-e',
          FORWARDER,
        ],
      ],
    ] as const) {
      const name = `${bed.name}-${suffix}`;
      extraContainers.push(name);
      await docker([
        'run',
        '-d',
        '--name',
        name,
        '--label',
        `certkit-test.swarm=${bed.name}`,
        '--network',
        bed.network,
        '--ip',
        address,
        ...argv,
      ]);
    }
    project = await mkdtemp(join(tmpdir(), 'certkit-swarm-dns-'));
    await writeFile(
      join(project, '.env'),
      [
        `CERTBOT_DOMAIN=${ZONE},*.${ZONE}`,
        'CERTBOT_CERT_NAME=web',
        'CERTBOT_SERVER=pebble',
        'CERTBOT_CHALLENGE=dns',
        'CERTBOT_DNS_PLUGIN=rfc2136',
        `CERTBOT_DNS_CREDENTIALS=${credentials}`,
        'CERTBOT_DNS_PROPAGATION_SECONDS=1',
        `CERTBOT_IMAGE=${dnsImage}`,
        `CERTKIT_SWARM_STACK=${bed.name}`,
        '',
      ].join('\n'),
    );
  }, 360_000);

  afterAll(async () => {
    for (const name of extraContainers) await docker(['rm', '-f', name]).catch(() => undefined);
    if (bed) await removeSwarmBed(bed);
    for (const dir of [project, secretsDir]) if (dir) await rm(dir, { recursive: true, force: true });
    await leaveSwarm(swarm);
  }, 180_000);

  it('gives the credentials to the certbot task alone, as a root-owned 0600 secret at the path certbot reads on Compose', async () => {
    const certbot = await serviceContainer(`${bed.name}_certbot`);
    expect((await docker(['exec', certbot, 'stat', '-c', '%a %u', '/etc/certkit/dns-credentials.ini'])).trim()).toBe('600 0');
    const secretNames = (
      await docker(['service', 'inspect', `${bed.name}_certbot`, '--format', '{{json .Spec.TaskTemplate.ContainerSpec.Secrets}}'])
    ).trim();
    expect(secretNames).toContain(`certkit-dns-credentials-${bed.name}`);
    // Not a config anywhere, and not in nginx.
    expect(await docker(['config', 'ls', '--format', '{{.Name}}'])).not.toContain('dns-credentials');
    for (const replica of await nginxReplicas(bed)) {
      await expect(docker(['exec', replica.container, 'test', '-e', '/etc/certkit/dns-credentials.ini'])).rejects.toThrow();
    }
  });

  it('issues the wildcard over DNS-01 and the plain site over HTTP-01, each served by every replica; the uncovered site fails alone', async () => {
    const result = await certkit(['update']);
    const output = `${result.stdout}\n${result.stderr}`;
    // One site failed: exit 1, the others done.
    expect(result.code, output).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(`site web \\(${ZONE.replaceAll('.', '\\.')}, \\*\\.${ZONE.replaceAll('.', '\\.')}\\): issued.*added to nginx`),
    );
    expect(result.stdout).toMatch(/site plain \(plain\.zone\.swarm\.certkit\.test\): issued.*added to nginx/);
    expect(result.stdout).toMatch(/site denied \(\*\.denied\.zone\.swarm\.certkit\.test\): FAILED: .*REFUSED/s);
    expect(result.stderr).toMatch(/preflight: checking plain\.zone\.swarm\.certkit\.test reach this nginx/);
    // The TSIG secret and the keys never reach the output.
    expect(output).not.toContain(tsigSecret);
    expect(output).not.toMatch(/PRIVATE KEY/);
    const web = await storeSerial(bed, 'web');
    const plain = await storeSerial(bed, 'plain');
    expect(await servedSerials(bed, `x${randomBytes(3).toString('hex')}.${ZONE}`)).toEqual([web, web]);
    expect(await servedSerials(bed, ZONE)).toEqual([web, web]);
    expect(await servedSerials(bed, PLAIN)).toEqual([plain, plain]);
    // Through the published port (the bed's forwarder on 127.0.0.1, in front of nginx's tasks).
    const any = await probeCertificate(bed.port as number, `a.${ZONE}`);
    expect([any.serial, any.names]).toEqual([web, [ZONE, `*.${ZONE}`]]);
    expect((await probeCertificate(bed.port as number, PLAIN)).serial).toBe(plain);
    // The failed site has nothing: no lineage, no secret, every replica refuses its handshake.
    await expect(bed.certbotExec(['test', '-e', '/etc/letsencrypt/live/denied/fullchain.pem'])).rejects.toThrow();
    await expect(probeCertificate(bed.port as number, `a.denied.${ZONE}`)).rejects.toThrow();
    const conf = await bed.certbotExec(['cat', '/etc/letsencrypt/renewal/web.conf']);
    expect(conf).toMatch(/^authenticator = dns-rfc2136$/m);
    expect(conf).toMatch(/^dns_rfc2136_credentials = \/etc\/certkit\/dns-credentials\.ini$/m);
    expect(await bed.certbotExec(['cat', '/etc/letsencrypt/renewal/plain.conf'])).toMatch(/^authenticator = webroot$/m);
  });

  it('a forced renewal rotates both good sites into every replica; the uncovered site fails alone again', async () => {
    const before = { web: await storeSerial(bed, 'web'), plain: await storeSerial(bed, 'plain') };
    const result = await certkit(['update', '--force']);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(1);
    expect(result.stdout).toMatch(/site web .*: renewed.*rotated into nginx; removed /);
    expect(result.stdout).toMatch(/site plain .*: renewed.*rotated into nginx; removed /);
    expect(result.stdout).toMatch(/site denied .*: FAILED: /);
    const after = { web: await storeSerial(bed, 'web'), plain: await storeSerial(bed, 'plain') };
    expect(after.web).not.toBe(before.web);
    expect(after.plain).not.toBe(before.plain);
    expect(await servedSerials(bed, `b.${ZONE}`)).toEqual([after.web, after.web]);
    expect(await servedSerials(bed, PLAIN)).toEqual([after.plain, after.plain]);
    expect((await probeCertificate(bed.port as number, `c.${ZONE}`)).serial).toBe(after.web);
  });
});

import { randomBytes, randomInt } from 'node:crypto';
import { chmod, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCommand } from './support/docker-cli.js';
import { TSIG_KEY, writeDnsOverride, writeDnsSide } from './support/dns-side.js';
import { TestStack } from './support/stack.js';
import { probeCertificate } from './support/tls.js';
import { waitUntil } from './support/wait.js';

const dockerMissing = inject('dockerMissing');
/** Every container of the stack with the host paths it mounts. */
async function mountsByService(stack: TestStack): Promise<Map<string, string[]>> {
  const ids = (await runCommand('docker', ['ps', '-aq', '--filter', `label=com.docker.compose.project=${stack.project}`])).stdout
    .split('\n')
    .filter(Boolean);
  const inspected = JSON.parse((await runCommand('docker', ['inspect', ...ids])).stdout) as Array<{
    Config: { Labels: Record<string, string> };
    Mounts: Array<{ Source: string }>;
  }>;
  return new Map(inspected.map((c) => [c.Config.Labels['com.docker.compose.service'] as string, c.Mounts.map((m) => m.Source)]));
}

// A wildcard certificate over DNS-01 against a real authoritative DNS server, on both stacks: certbot's dns-rfc2136
// plugin writes the TXT records into bind with the TSIG key, Pebble asks bind, nginx serves the wildcard for any name.
describe.skipIf(dockerMissing !== '')('DNS-01: a wildcard certificate through bind9 and dns-rfc2136', () => {
  let stack: TestStack;
  let secretsDir: string;
  let credentials: string;
  let zone: string;
  let secret: string;
  let address: string;

  beforeAll(async () => {
    // 30-second certificates, so the daemon renews the DNS certificate within the test (as daemon-renewal.test.ts).
    stack = await TestStack.create({ names: 1, pebbleValiditySeconds: 30 });
    zone = stack.names[0] as string;
    secret = randomBytes(32).toString('base64');
    ({ address } = await writeDnsSide(stack, zone, secret));
    // Outside the kit's folder, which certkit-init and certkit mount: only certbot reads it (certkit-init stats its own mount).
    secretsDir = await mkdtemp(join(tmpdir(), 'certkit-e2e-secrets-'));
    credentials = join(secretsDir, 'rfc2136.ini');
    await writeFile(
      credentials,
      `dns_rfc2136_server = ${address}\ndns_rfc2136_port = 53\ndns_rfc2136_name = ${TSIG_KEY}\ndns_rfc2136_secret = ${secret}\ndns_rfc2136_algorithm = HMAC-SHA512\n`,
    );
    await chmod(credentials, 0o644);
    await stack.writeEnv({
      CERTBOT_DOMAIN: `${zone},*.${zone}`,
      CERTBOT_CHALLENGE: 'dns',
      CERTBOT_DNS_PLUGIN: 'rfc2136',
      CERTBOT_DNS_CREDENTIALS: credentials,
      CERTBOT_DNS_PROPAGATION_SECONDS: '1',
      CERTKIT_CHECK_INTERVAL: '3s',
      CERTBOT_IMAGE: inject('images')['CERTKIT_TEST_CERTBOT_DNS_IMAGE'] as string,
    });
  });
  afterAll(async () => {
    if (stack) await stack.destroy();
    if (secretsDir) await rm(secretsDir, { recursive: true, force: true });
  });

  it('refuses a credentials file other users can read, with the chmod to run: `certkit render` and certkit-init', async () => {
    const result = await stack.certkit(['render']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`CERTBOT_DNS_CREDENTIALS: "${credentials}" has mode 0644`);
    expect(result.stderr).toContain(`run: chmod 600 ${credentials}`);
    // certkit-init sees the host file only through its read-only mount, and refuses it before certbot starts.
    const up = await stack.compose(['up', '-d', 'nginx']);
    expect(up.code).not.toBe(0);
    const init = (await stack.compose(['logs', '--no-color', 'certkit-init'])).stdout;
    expect(init).toContain(`CERTBOT_DNS_CREDENTIALS: "${credentials}" has mode 0644`);
    expect(init).not.toContain(secret);
    await chmod(credentials, 0o600);
  });

  it('issues the name and its wildcard over DNS-01, and nginx serves it for any subname', async () => {
    const up = await stack.compose(['up', '-d', 'bind9', 'nginx', 'certbot', 'pebble', 'pebble-challtestsrv']);
    expect(up.code, up.stderr).toBe(0);
    const result = await stack.certkit(['update', '--json']);
    expect(result.code, `${result.stderr}\n${await stack.logs()}`).toBe(0);
    const json = JSON.parse(result.stdout) as { action: string; domains: string[]; serial: string };
    expect(json.action).toBe('issued');
    expect(json.domains.sort()).toEqual([`*.${zone}`, zone].sort());
    const any = await probeCertificate(stack.httpsPort, `x${randomBytes(3).toString('hex')}.${zone}`);
    expect(any.serial).toBe(json.serial);
    expect(any.names).toContain(`*.${zone}`);
    expect((await probeCertificate(stack.httpsPort, zone)).serial).toBe(json.serial);
    // Pebble validated by asking bind, where certbot's plugin had written the records with the TSIG key.
    const bindLogs = (await stack.compose(['logs', '--no-color', 'bind9'])).stdout;
    expect(bindLogs).toMatch(new RegExp(`adding an RR at '_acme-challenge\\.${zone.replace(/\./g, '\\.')}' TXT`));
    const conf = await stack.exec('certbot', ['cat', `/etc/letsencrypt/renewal/${zone}.conf`]);
    expect(conf.stdout).toMatch(/^authenticator = dns-rfc2136$/m);
    expect(conf.stdout).toMatch(/^dns_rfc2136_credentials = \/etc\/certkit\/dns-credentials\.ini$/m);
    expect(conf.stdout).not.toContain(secret);
  });

  it("the TSIG key may change only _acme-challenge TXT records (bind's update policy)", async () => {
    const script = `
import sys, dns.query, dns.rcode, dns.tsigkeyring, dns.update
keyring = dns.tsigkeyring.from_text({sys.argv[3]: sys.argv[4]})
update = dns.update.Update(sys.argv[1], keyring=keyring, keyalgorithm="hmac-sha512")
update.add("www", 60, "A", "192.0.2.1")
print(dns.rcode.to_text(dns.query.tcp(update, sys.argv[2], timeout=10).rcode()))
`;
    const result = await stack.exec('certbot', ['python3', '-c', script, zone, address, TSIG_KEY, secret]);
    expect(result.stdout.trim(), result.stderr).toBe('REFUSED');
  });

  it('renews the DNS lineage (certbot renew reuses the plugin settings) and serves the new certificate', async () => {
    const before = await probeCertificate(stack.httpsPort, zone);
    const result = await stack.certkit(['update', '--force', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as { action: string; serial: string };
    expect(json.action).toBe('renewed');
    expect(json.serial).not.toBe(before.serial);
    expect((await probeCertificate(stack.httpsPort, `renewed.${zone}`)).serial).toBe(json.serial);
  });

  it('the credentials file is mounted into certbot alone, read-only, and is in no backup and no log', async () => {
    const mounts = await mountsByService(stack);
    expect(mounts.get('certbot')).toContain(credentials);
    // certkit-init has it too, read-only, only to stat it (mode, type, size) before certbot starts; it holds no socket.
    const init = await runCommand('docker', [
      'ps',
      '-aq',
      '--filter',
      `label=com.docker.compose.project=${stack.project}`,
      '--filter',
      'label=com.docker.compose.service=certkit-init',
    ]);
    const initMounts = JSON.parse(
      (await runCommand('docker', ['inspect', '--format', '{{json .Mounts}}', init.stdout.trim()])).stdout,
    ) as Array<{
      Source: string;
      RW: boolean;
    }>;
    expect(initMounts.filter((mount) => mount.Source === credentials).map((mount) => mount.RW)).toEqual([false]);
    for (const [service, sources] of mounts) {
      if (service !== 'certbot' && service !== 'certkit-init')
        expect(
          sources.filter((source) => source.startsWith(secretsDir)),
          service,
        ).toEqual([]);
    }
    const ro = await stack.exec('certbot', ['sh', '-c', 'echo x >> /etc/certkit/dns-credentials.ini']);
    expect(ro.code).not.toBe(0);
    for (const service of ['nginx', 'pebble']) {
      const seen = await stack.exec(service, ['cat', '/etc/certkit/dns-credentials.ini']);
      expect(seen.code, service).not.toBe(0);
    }
    const backup = join(stack.dir, 'backup.tar.gz');
    const written = await stack.certkit(['backup', '-o', backup]);
    expect(written.code, written.stderr).toBe(0);
    const tar = gunzipSync(await readFile(backup));
    expect(tar.includes(Buffer.from(secret))).toBe(false);
    expect(tar.includes(Buffer.from(`live/${zone}/`))).toBe(true);
    const logs = await stack.compose(['logs', '--no-color']);
    expect(`${logs.stdout}${logs.stderr}`).not.toContain(secret);
    const certbotLog = await stack.exec('certbot', ['sh', '-c', 'cat /var/log/letsencrypt/*.log']);
    expect(certbotLog.stdout).not.toContain(secret);
    const deployed = await stack.exec('certbot', ['sh', '-c', `cat /etc/certkit/deploy/${zone}/*`]);
    expect(deployed.stdout).not.toContain(secret);
  });

  it('the certkit daemon renews the DNS certificate by itself, and nginx serves the new one', async () => {
    const first = await probeCertificate(stack.httpsPort, zone);
    const up = await stack.compose(['up', '-d', 'certkit']);
    expect(up.code, up.stderr).toBe(0);
    const renewed = await waitUntil(
      'the daemon to renew over DNS-01 and nginx to serve a new serial',
      async () => {
        const now = await probeCertificate(stack.httpsPort, `daemon.${zone}`).catch(() => undefined);
        return now && now.serial !== first.serial ? now : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 1_000 },
    ).catch(async (error: Error) => {
      throw new Error(
        `${error.message}\n--- certkit logs ---\n${(await stack.compose(['logs', '--no-color', '--tail', '60', 'certkit'])).stdout}`,
      );
    });
    expect(renewed.names).toContain(`*.${zone}`);
    const mounts = await mountsByService(stack);
    expect((mounts.get('certkit') ?? []).filter((source) => source.startsWith(secretsDir))).toEqual([]);
  });
});

// A plugin no image carries, without building one: Debian's certbot-dns-standalone and dnslib, unpacked into a host
// folder (CERTBOT_PLUGINS_DIR), on the plain certbot image. certbot loads it only once CERTBOT_TRUSTED_PLUGINS names it;
// it answers Pebble's DNS queries itself from the certbot container, on a fixed address.
describe.skipIf(dockerMissing !== '')('a third-party DNS plugin from the plugins folder, trusted in .env', () => {
  let stack: TestStack;
  let pluginsDir: string;
  let zone: string;

  beforeAll(async () => {
    stack = await TestStack.create({ names: 1 });
    zone = stack.names[0] as string;
    const subnet = `172.29.${randomInt(0, 256)}`;
    await writeDnsOverride(
      stack,
      subnet,
      `  certbot:
    networks:
      default:
        ipv4_address: ${subnet}.53
  pebble:
    command: ['-config', '/etc/certkit/pebble/pebble-config.json', '-dnsserver', '${subnet}.53:53']
`,
    );
    pluginsDir = await mkdtemp(join(tmpdir(), 'certkit-e2e-plugins-'));
    await cp(inject('images')['CERTKIT_TEST_PLUGIN_FILES'] as string, pluginsDir, { recursive: true });
    await stack.writeEnv({
      CERTBOT_DOMAIN: `${zone},*.${zone}`,
      CERTBOT_CHALLENGE: 'dns',
      CERTBOT_DNS_PLUGIN: 'standalone',
      CERTBOT_PLUGINS_DIR: pluginsDir,
    });
    const up = await stack.compose(['up', '-d', 'nginx', 'certbot', 'pebble', 'pebble-challtestsrv']);
    if (up.code !== 0) throw new Error(`compose up failed:\n${up.stderr}`);
  });
  afterAll(async () => {
    if (stack) await stack.destroy();
    if (pluginsDir) await rm(pluginsDir, { recursive: true, force: true });
  });

  it('lists the folder plugin as not loaded, and refuses to use it until it is trusted', async () => {
    const listed = await stack.certkit(['plugins']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^dns-standalone .*plugins folder: certbot-dns-standalone 1\.1 \(not trusted: not loaded\)/m);
    const result = await stack.certkit(['update']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('CERTBOT_TRUSTED_PLUGINS: the plugins folder (CERTBOT_PLUGINS_DIR) holds dns-standalone');
    expect(result.stderr).toContain('set CERTBOT_TRUSTED_PLUGINS=dns-standalone');
  });

  it('once trusted, certbot loads it and issues the name and its wildcard with it', async () => {
    await stack.writeEnv({
      CERTBOT_DOMAIN: `${zone},*.${zone}`,
      CERTBOT_CHALLENGE: 'dns',
      CERTBOT_DNS_PLUGIN: 'standalone',
      CERTBOT_PLUGINS_DIR: pluginsDir,
      CERTBOT_TRUSTED_PLUGINS: 'dns-standalone',
    });
    const listed = await stack.certkit(['plugins']);
    expect(listed.stdout).toMatch(/^dns-standalone +authenticator +plugins folder: certbot-dns-standalone 1\.1 \(trusted\)/m);
    const result = await stack.certkit(['update', '--json']);
    expect(result.code, `${result.stderr}\n${await stack.logs()}`).toBe(0);
    const json = JSON.parse(result.stdout) as { action: string; serial: string };
    expect(json.action).toBe('issued');
    expect((await probeCertificate(stack.httpsPort, `any.${zone}`)).serial).toBe(json.serial);
    const conf = await stack.exec('certbot', ['cat', `/etc/letsencrypt/renewal/${zone}.conf`]);
    expect(conf.stdout).toMatch(/^authenticator = dns-standalone$/m);
  });
});

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { StatusEntry } from '../../src/store/status-entries.js';
import { letsEncryptProfiles, stackKind, upWithoutDaemon, writePebbleProfiles } from './support/acme-features.js';
import { probeCertificate } from './support/tls.js';
import { TestStack } from './support/stack.js';

const dockerMissing = inject('dockerMissing');
const DAY_MS = 86_400_000;

/** Days of validity of the certificate nginx serves for `name`. */
async function servedLifetimeDays(stack: TestStack, name: string): Promise<number> {
  const { leaf } = await probeCertificate(stack.httpsPort, name);
  return Math.round((new Date(leaf.validTo).getTime() - new Date(leaf.validFrom).getTime()) / DAY_MS);
}

async function statusOf(stack: TestStack): Promise<StatusEntry> {
  const result = await stack.certkit(['status', '--json']);
  const [entry] = JSON.parse(result.stdout) as StatusEntry[];
  if (!entry) throw new Error(`no status entry:\n${result.stdout}\n${result.stderr}`);
  return entry;
}

// certbot >= 4.0 requests an ACME profile; certkit keeps it on every renewal, shows it and reissues when it changes.
// Pebble offers Let's Encrypt's three profiles with their lifetimes, so the served certificate shows which one it got.
describe.skipIf(dockerMissing !== '' || stackKind() !== 'current')('CERTBOT_PROFILE on certbot 5 (current stack)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.create({ names: 1, env: { CERTBOT_PROFILE: 'tlsserver' } });
    await writePebbleProfiles(stack, letsEncryptProfiles());
    await upWithoutDaemon(stack);
  });
  afterAll(async () => {
    if (stack) await stack.destroy();
  });

  it('requests the profile at issuance and status shows it', async () => {
    const result = await stack.certkit(['update', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ action: 'issued', profile: 'tlsserver' });
    expect(await servedLifetimeDays(stack, stack.names[0] as string)).toBe(45);
    const status = await statusOf(stack);
    expect(status.profile).toBe('tlsserver');
    expect((await stack.certkit(['status'])).stdout).toMatch(/PROFILE[\s\S]*tlsserver/);
  });

  it('keeps the profile across a forced renewal (saved in the renewal conf)', async () => {
    const before = await statusOf(stack);
    const result = await stack.certkit(['update', '--force', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as { action: string }).action).toBe('renewed');
    const after = await statusOf(stack);
    expect(after.serial).not.toBe(before.serial);
    expect(after.profile).toBe('tlsserver');
    expect(await servedLifetimeDays(stack, stack.names[0] as string)).toBe(45);
    const conf = await stack.exec('certbot', ['cat', `/etc/letsencrypt/renewal/${stack.names[0]}.conf`]);
    expect(conf.stdout).toMatch(/^required_profile = tlsserver$/m);
  });

  it('reissues when CERTBOT_PROFILE changes, saying why', async () => {
    await stack.writeEnv({ CERTBOT_DOMAIN: stack.names.join(','), CERTBOT_PROFILE: 'classic' });
    const result = await stack.certkit(['update', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as { action: string; reasons: string[] };
    expect(json.action).toBe('reissued');
    expect(json.reasons).toContain('changes the profile from tlsserver to classic');
    expect(await servedLifetimeDays(stack, stack.names[0] as string)).toBe(90);
    expect((await statusOf(stack)).profile).toBe('classic');
    // Nothing left to do on the next run: the new profile is what the store holds.
    const again = await stack.certkit(['update', '--json']);
    expect((JSON.parse(again.stdout) as { action: string }).action).toBe('unchanged');
  });

  it("a profile the CA does not offer fails with the CA's words, and the served certificate stays", async () => {
    const served = (await probeCertificate(stack.httpsPort, stack.names[0] as string)).serial;
    await stack.writeEnv({ CERTBOT_DOMAIN: stack.names.join(','), CERTBOT_PROFILE: 'sixday' });
    const result = await stack.certkit(['update']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('The CA does not offer the ACME profile CERTBOT_PROFILE asks for');
    expect(result.stderr).toContain('sixday');
    expect((await probeCertificate(stack.httpsPort, stack.names[0] as string)).serial).toBe(served);
  });
});

// Users pinned to an older certbot image get a configuration error naming the version and image, before anything runs.
describe.skipIf(dockerMissing !== '' || stackKind() !== 'legacy')('what certbot 2.1 cannot do (legacy stack)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.create({ names: 1, env: { CERTBOT_PROFILE: 'shortlived' } });
    await upWithoutDaemon(stack);
  });
  afterAll(async () => {
    if (stack) await stack.destroy();
  });

  it('refuses CERTBOT_PROFILE with the minimum certbot version and the image to use', async () => {
    const result = await stack.certkit(['update']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'CERTBOT_PROFILE: "shortlived" needs certbot 4.0.0 or newer; CERTBOT_IMAGE runs certbot 2.1.0. Use certbot/certbot:v4.0.0 or newer',
    );
    expect(await stack.listDir('certbot', '/etc/letsencrypt')).not.toContain('live');
  });

  it('refuses an IP address in CERTBOT_DOMAIN with the minimum certbot version and the image to use', async () => {
    await stack.writeEnv({ CERTBOT_DOMAIN: '192.0.2.10' });
    const result = await stack.certkit(['update']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'CERTBOT_DOMAIN: the IP address 192.0.2.10 needs certbot 5.4.0 or newer; CERTBOT_IMAGE runs certbot 2.1.0. Use certbot/certbot:v5.4.0 or newer',
    );
  });
});

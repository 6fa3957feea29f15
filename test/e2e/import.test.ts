import { cp, mkdtemp, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { StatusEntry } from '../../src/store/status-entries.js';
import { upWithoutDaemon } from './support/acme-features.js';
import { certonlyOutsideCertkit } from './support/plain-certbot.js';
import { TestStack } from './support/stack.js';
import { probeCertificate } from './support/tls.js';

const dockerMissing = inject('dockerMissing');

/** Where the plain certbot run keeps its config dir inside its container: its renewal confs carry these paths. */
const OLD_CONFIG_DIR = '/srv/old/letsencrypt';
const OLD_WEBROOT = '/srv/old/www';

// A user's existing certbot store taken over: certbot run by hand (not through certkit) with --config-dir in a
// bind-mounted host folder and a webroot of its own, then `certkit import` of that folder. One stack, in order.
describe.skipIf(dockerMissing !== '')('certkit import: a store made by a plain certbot run, taken over without reissuing', () => {
  let stack: TestStack;
  let name: string;
  let hostStore: string;
  let importedSerial: string;

  const status = async () => {
    const result = await stack.certkit(['status', '--json']);
    return { code: result.code, entries: result.stdout ? (JSON.parse(result.stdout) as StatusEntry[]) : [] };
  };

  beforeAll(async () => {
    stack = await TestStack.create();
    name = stack.names[0] as string;
    hostStore = await mkdtemp(join(tmpdir(), 'certkit-e2e-old-store-'));
    // Without the daemon: nothing but the plain certbot run below may talk to the CA before the import.
    await upWithoutDaemon(stack);
    // Pebble resolves every name through pebble-challtestsrv: pointed at nginx, which serves the shared webroot.
    importedSerial = await certonlyOutsideCertkit(stack, {
      store: hostStore,
      configDir: OLD_CONFIG_DIR,
      webroot: OLD_WEBROOT,
      extraArgs: ['--config-dir', OLD_CONFIG_DIR, '--work-dir', '/srv/old/work', '--logs-dir', '/srv/old/logs'],
    });
  });
  afterAll(async () => {
    if (stack) await stack.destroy();
    if (hostStore) await rm(hostStore, { recursive: true, force: true });
  });

  it('refuses a broken copy of the store (live/ links replaced by files) with doctor findings, writing nothing', async () => {
    const broken = `${hostStore}-copied`;
    await cp(hostStore, broken, { recursive: true, dereference: true });
    try {
      const result = await stack.certkit(['import', broken]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('is not a healthy certbot store; nothing was imported');
      expect(result.stderr).toContain(`live/${name}/`);
      expect(await stack.listDir('certbot', '/etc/letsencrypt')).not.toContain('live');
    } finally {
      await rm(broken, { recursive: true, force: true });
    }
  });

  it('imports the folder: nginx serves the same serial, one archive version, confs adapted, keys 0600', async () => {
    // certbot rotates its log at every run that does anything: an unchanged log folder means certbot never ran.
    const certbotLogs = () => stack.exec('certbot', ['ls', '-1', '/var/log/letsencrypt']).then((listing) => listing.stdout);
    const logsBefore = await certbotLogs();
    const result = await stack.certkit(['import', hostStore]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain(`imported ${name}`);
    expect(await certbotLogs()).toBe(logsBefore);
    for (const domain of stack.names) expect((await probeCertificate(stack.httpsPort, domain)).serial).toBe(importedSerial);
    // No new order: the store holds exactly the version certbot made before the import.
    expect(await stack.listDir('certbot', `/etc/letsencrypt/archive/${name}`)).toEqual([
      'cert1.pem',
      'chain1.pem',
      'fullchain1.pem',
      'privkey1.pem',
    ]);
    const conf = await stack.exec('certbot', ['cat', `/etc/letsencrypt/renewal/${name}.conf`]);
    expect(conf.stdout).not.toContain('/srv/old');
    expect(conf.stdout).toContain(`cert = /etc/letsencrypt/live/${name}/cert.pem`);
    expect(conf.stdout).toMatch(/^webroot_path = \/var\/www\/certbot,$/m);
    const modes = await stack.exec('certbot', [
      'python3',
      '-c',
      'import os,sys; print(oct(os.lstat(sys.argv[1]).st_mode & 0o777), os.readlink(sys.argv[2]))',
      `/etc/letsencrypt/archive/${name}/privkey1.pem`,
      `/etc/letsencrypt/live/${name}/privkey.pem`,
    ]);
    expect(modes.stdout.trim()).toBe(`0o600 ../../archive/${name}/privkey1.pem`);
  });

  it('status is clean, and a plain update keeps the imported certificate', async () => {
    const before = await status();
    expect(before.code, JSON.stringify(before.entries, null, 2)).toBe(0);
    expect(before.entries).toEqual([
      expect.objectContaining({ name, serial: importedSerial, served: importedSerial, live: 'ok', deployed: 'ok', problems: [] }),
    ]);
    const update = await stack.certkit(['update', '--json']);
    expect(update.code, update.stderr).toBe(0);
    expect(JSON.parse(update.stdout)).toMatchObject({ action: 'unchanged', serial: importedSerial });
  });

  it('refuses to import over the same certificate without --force; with it, the old files are set aside', async () => {
    const again = await stack.certkit(['import', hostStore]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`already holds ${name}`);
    const forced = await stack.certkit(['import', hostStore, '--force']);
    expect(forced.code, forced.stdout + forced.stderr).toBe(0);
    expect(await stack.listDir('certbot', '/etc/letsencrypt/certkit-replaced')).toHaveLength(1);
    expect((await status()).code).toBe(0);
  });

  it('a forced renewal continues the same lineage: archive/NAME/cert2.pem, served, status clean', async () => {
    const renewed = await stack.certkit(['update', '--force', '--json']);
    expect(renewed.code, renewed.stderr).toBe(0);
    const result = JSON.parse(renewed.stdout) as { action: string; serial: string };
    expect(result.action).toBe('renewed');
    expect(result.serial).not.toBe(importedSerial);
    expect(await stack.listDir('certbot', `/etc/letsencrypt/archive/${name}`)).toContain('cert2.pem');
    const link = await stack.exec('certbot', ['readlink', `/etc/letsencrypt/live/${name}/cert.pem`]);
    expect(link.stdout.trim()).toBe(`../../archive/${name}/cert2.pem`);
    expect((await stack.listDir('certbot', '/etc/letsencrypt/live')).filter((entry) => entry !== 'README')).toEqual([name]);
    expect((await probeCertificate(stack.httpsPort, name)).serial).toBe(result.serial);
    const after = await status();
    expect(after.code, JSON.stringify(after.entries, null, 2)).toBe(0);
    // Renewed with the imported account: no other was registered.
    const accounts = await stack.exec('certbot', ['find', '/etc/letsencrypt/accounts', '-name', 'regr.json']);
    expect(accounts.stdout.trim().split('\n')).toHaveLength(1);
    // The host folder is left as it was: import copies, it never moves or edits the source.
    expect(await readlink(join(hostStore, 'live', name, 'cert.pem'))).toBe(`../../archive/${name}/cert1.pem`);
  });
});

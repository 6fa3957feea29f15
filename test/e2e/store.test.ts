import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { StatusEntry } from '../../src/store/status-entries.js';
import { runCommand } from './support/docker-cli.js';
import { probeCertificate } from './support/tls.js';
import { REPO, TestStack } from './support/stack.js';
import { waitUntil } from './support/wait.js';

const dockerMissing = inject('dockerMissing');

// The certificate store as users handle it: a folder another container mounts, status and doctor, prune, and a
// backup that survives `down -v`. One stack, one scenario, in order.
describe.skipIf(dockerMissing !== '')('the certificate store: deploy folder, status, doctor, prune, backup and restore', () => {
  let stack: TestStack;
  let name: string;

  beforeAll(async () => {
    stack = await TestStack.create({ env: { CERTKIT_DEPLOY_DIR: './deploy' } });
    name = stack.names[0] as string;
    await stack.up();
    await waitUntil('HTTPS to be served', async () => probeCertificate(stack.httpsPort, name).catch(() => undefined), {
      timeoutMs: 90_000,
      intervalMs: 1_000,
    });
    // The daemon's first check must be over before the tests drive certbot themselves.
    await waitUntil(
      'the daemon to finish its first check',
      async () => ((await stack.compose(['logs', '--no-color', 'certkit'])).stdout.includes('next check at') ? true : undefined),
      { timeoutMs: 60_000 },
    );
  });
  afterAll(async () => {
    if (stack) await stack.destroy();
  });

  const status = async () => {
    const result = await stack.certkit(['status', '--json']);
    return { code: result.code, stderr: result.stderr, entries: result.stdout ? (JSON.parse(result.stdout) as StatusEntry[]) : [] };
  };

  /** A container that bind-mounts only deploy/NAME reads the pair: both public keys and the serial. */
  const readMountedPair = async () => {
    const script =
      'openssl x509 -in /certs/fullchain.pem -noout -pubkey; echo =SEP=; openssl pkey -in /certs/privkey.pem -pubout; echo =SEP=; openssl x509 -in /certs/cert.pem -noout -serial';
    const result = await runCommand('docker', [
      'run',
      '--rm',
      '--network',
      'none',
      '-v',
      `${join(stack.dir, 'deploy', name)}:/certs:ro`,
      '--entrypoint',
      'sh',
      inject('images')['PEBBLE_IMAGE'] as string,
      '-c',
      script,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const [certKey, privKey, serial] = result.stdout.split('=SEP=\n');
    return {
      matches: certKey?.trim() === privKey?.trim() && (certKey ?? '').includes('PUBLIC KEY'),
      serial: serial
        ?.trim()
        .replace(/^serial=/, '')
        .toLowerCase()
        .replace(/^0+/, ''),
    };
  };

  it('a container mounting only one deploy folder reads a matching pair before and after a forced renewal', async () => {
    const before = await readMountedPair();
    expect(before.matches).toBe(true);
    const update = await stack.certkit(['update', '--force']);
    expect(update.code, update.stderr).toBe(0);
    const after = await readMountedPair();
    expect(after.matches).toBe(true);
    expect(after.serial).not.toBe(before.serial);
  });

  it('status --json reports the certificate healthy, deployed and served', async () => {
    const { code, entries } = await status();
    expect(code).toBe(0);
    const entry = entries.find((candidate) => candidate.name === name);
    expect(entry).toMatchObject({ live: 'ok', deployed: 'ok', problems: [] });
    expect(entry?.served).toBe(entry?.serial);
    expect(entry?.served).toBe((await probeCertificate(stack.httpsPort, name)).serial);
  });

  it('doctor --fix turns live/ files that replaced the symlinks back into links, and renewal works again', async () => {
    const replace = `cd /etc/letsencrypt/live/${name} && for f in cert chain fullchain privkey; do cp -L $f.pem /tmp/$f.pem && rm $f.pem && cp /tmp/$f.pem $f.pem; done`;
    expect((await stack.exec('certbot', ['sh', '-c', replace])).code).toBe(0);
    const broken = await status();
    expect(broken.code).toBe(1);
    expect(broken.entries.find((entry) => entry.name === name)?.live).not.toBe('ok');
    // certbot refuses such a store; update says what to run instead of relaying certbot's words alone.
    const refused = await stack.certkit(['update', '--force']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/certbot cannot use its certificate store: .*`certkit doctor --fix`/);
    const dryDoctor = await stack.certkit(['doctor']);
    expect(dryDoctor.code).toBe(1);
    expect(dryDoctor.stdout).toMatch(/doctor --fix would:\n\s+link live\//);
    const fixed = await stack.certkit(['doctor', '--fix']);
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
    expect((await status()).code).toBe(0);
    const links = await stack.exec('certbot', ['find', `/etc/letsencrypt/live/${name}`, '-name', '*.pem', '-type', 'l']);
    expect(links.stdout.split('\n').filter(Boolean)).toHaveLength(4);
    const renewed = await stack.certkit(['update', '--force']);
    expect(renewed.code, renewed.stderr).toBe(0);
  });

  it('prune --keep 1 lists old versions, removes them only with --yes, and the store stays healthy', async () => {
    const before = (await status()).entries.find((entry) => entry.name === name);
    expect(before?.versions).toBeGreaterThan(1);
    const listed = await stack.certkit(['prune', '--keep', '1']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/would remove \d+ file\(s\)/);
    expect((await status()).entries.find((entry) => entry.name === name)?.versions).toBe(before?.versions);
    const removed = await stack.certkit(['prune', '--keep', '1', '--yes']);
    expect(removed.code, removed.stderr).toBe(0);
    const after = await status();
    expect(after.code).toBe(0);
    expect(after.entries.find((entry) => entry.name === name)?.versions).toBe(1);
  });

  it('refuses a hand-crafted archive with ../, an absolute path and an escaping symlink, writing nothing', async () => {
    const file = join(stack.dir, 'evil.tar.gz');
    await writeFile(file, await craftArchive());
    const listing = () => stack.exec('certbot', ['sh', '-c', 'find /etc/letsencrypt /etc | sort']);
    const before = (await listing()).stdout;
    const result = await stack.certkit(['restore', file, '--force']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('../evil');
    expect(result.stderr).toContain('/abs/evil');
    expect(result.stderr).toMatch(/live\/x\/cert\.pem/);
    expect((await listing()).stdout).toBe(before);
  });

  it('refuses a bomb archive (600 MiB of store-sized files in a small .tar.gz) at the size limit, in bounded memory, writing nothing', async () => {
    const file = join(stack.dir, 'bomb.tar.gz');
    await writeBomb(file, 600);
    expect((await stat(file)).size).toBeLessThan(5 * 1024 * 1024);
    const listing = () => stack.exec('certbot', ['sh', '-c', 'find /etc/letsencrypt | sort']);
    const before = (await listing()).stdout;
    const result = await runWithPeakMemory(
      process.execPath,
      [join(REPO, 'bin/certkit.js'), '--project-name', stack.project, 'restore', file, '--force'],
      stack.dir,
    );
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain('unpacks to more than 512 MiB');
    expect(result.stderr).toContain('--max-size');
    // The old restore held every entry in memory (3.1 GiB for a 1 GiB bomb); streaming keeps node near its baseline.
    expect(result.peakKiB).toBeGreaterThan(0);
    expect(result.peakKiB, `peak resident memory ${result.peakKiB} KiB`).toBeLessThan(250 * 1024);
    expect((await listing()).stdout).toBe(before);
  });

  it('backup, down -v, restore into fresh volumes: update --force renews the same certificate and status is clean', async () => {
    const backup = join(stack.dir, 'backup.tar.gz');
    const written = await stack.certkit(['backup', '-o', backup]);
    expect(written.code, written.stderr).toBe(0);
    expect((await stat(backup)).mode & 0o777).toBe(0o600);

    expect((await stack.compose(['down', '-v'])).code).toBe(0);
    // Without the daemon, so nothing issues a fresh certificate before the restore.
    const up = await stack.compose(['up', '-d', 'nginx', 'certbot', 'pebble', 'pebble-challtestsrv']);
    expect(up.code, up.stderr).toBe(0);
    expect(await stack.listDir('certbot', '/etc/letsencrypt')).not.toContain('live');

    const restored = await stack.certkit(['restore', backup]);
    expect(restored.code, restored.stdout + restored.stderr).toBe(0);
    const again = await stack.certkit(['restore', backup]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/not empty/);

    const update = await stack.certkit(['update', '--force']);
    expect(update.code, update.stderr).toBe(0);
    expect((await stack.listDir('certbot', '/etc/letsencrypt/live')).filter((entry) => entry !== 'README')).toEqual([name]);
    const final = await status();
    expect(final.code, JSON.stringify(final.entries, null, 2)).toBe(0);
    expect(final.entries.map((entry) => entry.name)).toEqual([name]);
  });
});

async function craftArchive(): Promise<Buffer> {
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const ended = new Promise<void>((resolve) => tar.on('end', () => resolve()));
  tar.entry({ name: 'letsencrypt/renewal/x.conf' }, 'cert = /etc/letsencrypt/live/x/cert.pem\n');
  tar.entry({ name: 'letsencrypt/../evil' }, 'escaped\n');
  tar.entry({ name: '/abs/evil' }, 'absolute\n');
  tar.entry({ name: 'letsencrypt/live/x/cert.pem', type: 'symlink', linkname: '../../../../etc/shadow' });
  tar.finalize();
  await ended;
  return gzipSync(Buffer.concat(chunks));
}

/** A store-shaped archive followed by `mib` one-MiB files of zeros (each within the per-file limit), gzipped as it is written. */
async function writeBomb(file: string, mib: number): Promise<void> {
  const tar = pack();
  const written = pipeline(tar as unknown as NodeJS.ReadableStream, createGzip({ level: 1 }), createWriteStream(file));
  const entry = (header: Parameters<typeof tar.entry>[0], content: Buffer | string) =>
    new Promise<void>((resolve, reject) => tar.entry(header, content, (error) => (error ? reject(error) : resolve())));
  await entry({ name: 'letsencrypt/renewal/bomb.conf' }, 'cert = /etc/letsencrypt/live/bomb/cert.pem\n');
  const zeros = Buffer.alloc(1024 * 1024);
  for (let index = 0; index < mib; index += 1) await entry({ name: `letsencrypt/archive/bomb/cert${index + 1}.pem` }, zeros);
  tar.finalize();
  await written;
}

/** Runs a command and samples its peak resident memory (VmHWM, which only grows) until it exits. */
async function runWithPeakMemory(
  command: string,
  args: readonly string[],
  cwd: string,
): Promise<{ code: number | null; stderr: string; peakKiB: number }> {
  const child = spawn(command, args, { cwd, env: { ...process.env, CI: '' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  let peakKiB = 0;
  const timer = setInterval(() => {
    readFile(`/proc/${child.pid}/status`, 'utf8').then(
      (status) => {
        const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
        if (match) peakKiB = Math.max(peakKiB, Number(match[1]));
      },
      () => undefined,
    );
  }, 20);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(timer);
  return { code, stderr, peakKiB };
}

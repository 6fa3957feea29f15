import { randomBytes, X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readCertificateInfo, splitPemCertificates } from '../../src/certs/read-certificate.js';
import { removeProject, runCommand } from './support/docker-cli.js';
import { REPO } from './support/stack.js';
import { waitUntil } from './support/wait.js';

const dockerMissing = inject('dockerMissing');

// Proves the bench every other e2e test stands on: real certbot validating over HTTP-01 through real nginx against
// Pebble, all on an internal network, with no certkit code in the loop.
describe.skipIf(dockerMissing !== '')('test bed: certbot, nginx and Pebble', () => {
  const id = randomBytes(4).toString('hex');
  const project = `ckbed${id}`;
  const names = [`bed-${id}.test`, `www.bed-${id}.test`];
  const dir = join(REPO, 'test/e2e/fixtures/bench');
  const env = { ...process.env, ...inject('images'), BENCH_NAME_1: names[0], BENCH_NAME_2: names[1] };
  const compose = (args: string[]) => {
    const [command, ...prefix] = inject('composeCommand');
    return runCommand(command as string, [...prefix, '-p', project, '-f', 'compose.yaml', ...args], { cwd: dir, env });
  };
  const exec = async (service: string, argv: string[]) => {
    const ps = await runCommand('docker', [
      'ps',
      '-q',
      '--filter',
      `label=com.docker.compose.project=${project}`,
      '--filter',
      `label=com.docker.compose.service=${service}`,
    ]);
    return runCommand('docker', ['exec', ps.stdout.trim(), ...argv]);
  };
  const certonly = () =>
    exec('certbot', [
      'certbot',
      'certonly',
      '--non-interactive',
      '--agree-tos',
      '--register-unsafely-without-email',
      '--server',
      'https://pebble:14000/dir',
      '--no-verify-ssl',
      '--webroot',
      '-w',
      '/var/www/certbot',
      '--cert-name',
      'bed',
      '-d',
      names[0] as string,
      '-d',
      names[1] as string,
      '--keep-until-expiring',
    ]);
  const liveCert = async () => readCertificateInfo((await exec('certbot', ['cat', '/etc/letsencrypt/live/bed/cert.pem'])).stdout);

  beforeAll(async () => {
    const up = await compose(['up', '-d']);
    if (up.code !== 0) throw new Error(`compose up failed: ${up.stderr}`);
    await waitUntil(
      'Pebble to answer',
      async () =>
        (await exec('certbot', ['python3', '-c', 'import socket; socket.create_connection(("pebble", 14000), 2)'])).code === 0
          ? true
          : undefined,
      { timeoutMs: 30_000 },
    );
  });
  afterAll(async () => {
    await removeProject(project);
  });

  it('issues one certificate for both names that chains to Pebble’s root', async () => {
    const first = await certonly();
    expect(first.code, first.stderr).toBe(0);
    const fullchain = (await exec('certbot', ['cat', '/etc/letsencrypt/live/bed/fullchain.pem'])).stdout;
    const [leafPem, intermediatePem] = splitPemCertificates(fullchain);
    const leaf = new X509Certificate(leafPem as string);
    const intermediate = new X509Certificate(intermediatePem as string);
    const rootPem = (
      await exec('certbot', [
        'python3',
        '-c',
        'import ssl,urllib.request as u; c=ssl._create_unverified_context(); print(u.urlopen("https://pebble:15000/roots/0", context=c).read().decode())',
      ])
    ).stdout;
    const root = new X509Certificate(rootPem);
    expect(leaf.verify(intermediate.publicKey)).toBe(true);
    expect(intermediate.verify(root.publicKey)).toBe(true);
    expect(readCertificateInfo(leafPem as string).domains.sort()).toEqual([...names].sort());
  });

  it('issues nothing on an identical second run with --keep-until-expiring', async () => {
    const before = await liveCert();
    const second = await certonly();
    expect(second.code, second.stderr).toBe(0);
    expect(`${second.stdout}${second.stderr}`).toMatch(/not yet due|no action taken|Keeping the existing certificate/i);
    expect((await liveCert()).serial).toBe(before.serial);
  });
});

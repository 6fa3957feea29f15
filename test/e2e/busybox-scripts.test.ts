import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCommand } from './support/docker-cli.js';
import { TestStack } from './support/stack.js';

const dockerMissing = inject('dockerMissing');

// The official certbot and nginx images are Alpine-based: /bin/sh is busybox ash and the tools are busybox applets.
// The stand-ins are made the same way, and every script the kit runs in them must work there (no bash or dash
// feature, no tool the official image lacks). See CONTRIBUTING.md for the list of what the kit runs in each.
describe.skipIf(dockerMissing !== '')("the kit's scripts under busybox sh", () => {
  let stack: TestStack;
  let scratch: string;
  const images = inject('images');
  const busybox = (image: string, mounts: string[], args: string[], env: string[] = []) =>
    runCommand('docker', [
      'run',
      '--rm',
      '--network',
      'none',
      ...mounts.flatMap((m) => ['-v', m]),
      ...env.flatMap((e) => ['-e', e]),
      '--entrypoint',
      '/bin/busybox',
      image,
      ...args,
    ]);

  beforeAll(async () => {
    stack = await TestStack.create();
    scratch = await mkdtemp(join(tmpdir(), 'certkit-busybox-'));
    const rendered = await stack.certkit(['render']);
    if (rendered.code !== 0) throw new Error(`certkit render failed: ${rendered.stderr}`);
  });
  afterAll(async () => {
    if (stack) await stack.destroy();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('the certbot and nginx stand-ins run busybox as /bin/sh, as the official Alpine images do', async () => {
    for (const image of [images['CERTBOT_IMAGE'], images['NGINX_IMAGE']] as string[]) {
      const result = await runCommand('docker', ['run', '--rm', '--network', 'none', '--entrypoint', 'readlink', image, '/bin/sh']);
      expect(result.stdout.trim(), image).toBe('/bin/busybox');
    }
  });

  it('busybox sh parses every rendered certbot script and the nginx entrypoint', async () => {
    const scripts = [
      ...(await readdir(join(stack.dir, 'certbot'))).filter((f) => f.endsWith('.sh')).map((f) => `certbot/${f}`),
      'nginx/entrypoint.sh',
    ];
    expect(scripts).toEqual(
      expect.arrayContaining(['certbot/entrypoint.sh', 'certbot/update-cert.sh', 'certbot/deploy-hook.sh', 'nginx/entrypoint.sh']),
    );
    for (const script of scripts) {
      const result = await busybox(images['CERTBOT_IMAGE'] as string, [`${stack.dir}:/kit:ro`], ['sh', '-n', `/kit/${script}`]);
      expect(result.code, `${script}: ${result.stderr}`).toBe(0);
    }
  });

  it('the deploy hook, run by busybox sh, publishes a lineage with the configured modes', async () => {
    const lineage = join(scratch, 'live', 'example.test');
    const deploy = join(scratch, 'deploy');
    await mkdir(lineage, { recursive: true });
    await mkdir(deploy);
    for (const file of ['cert', 'chain', 'fullchain', 'privkey']) await writeFile(join(lineage, `${file}.pem`), `${file}\n`);
    const result = await busybox(
      images['CERTBOT_IMAGE'] as string,
      [
        `${join(stack.dir, 'certbot')}:/etc/certkit/certbot:ro`,
        `${join(scratch, 'live')}:/etc/letsencrypt/live:ro`,
        `${deploy}:/etc/certkit/deploy`,
      ],
      ['sh', '/etc/certkit/certbot/deploy-hook.sh'],
      ['RENEWED_LINEAGE=/etc/letsencrypt/live/example.test'],
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('certkit: deployed example.test');
    const published = join(deploy, 'example.test');
    expect((await readdir(published)).sort()).toEqual(['bundle.pem', 'cert.pem', 'chain.pem', 'fullchain.pem', 'privkey.pem', 'tls']);
    expect(await readdir(join(published, 'tls'))).toEqual(expect.arrayContaining(['1.pem', 'current.pem']));
    expect((await stat(join(published, 'privkey.pem'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(published, 'bundle.pem'))).mode & 0o777).toBe(0o640);
    expect((await stat(join(published, 'cert.pem'))).mode & 0o777).toBe(0o644);
  });
});

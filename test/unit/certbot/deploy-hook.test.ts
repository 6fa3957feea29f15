import { execFile } from 'node:child_process';
import { cp, link, lstat, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { KEY_READER_GID } from '../../../src/stack/layout.js';
import { renderProject } from '../../../src/render/render-project.js';
import { buildStore } from '../../fixtures/store-fixtures.js';
import { makeConfig } from '../support/make-config.js';

const exec = promisify(execFile);
const TEMPLATES = fileURLToPath(new URL('../../../templates', import.meta.url));
const NAME = 'hook.test';
const KINDS = ['cert', 'chain', 'fullchain', 'privkey'] as const;
const CONTAINER_DEPLOY = '/etc/certkit/deploy';

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Renders the real template, then points its deploy folder (a container path) at a temp folder. */
async function renderHook(env: Record<string, string>): Promise<{ script: string; deploy: string }> {
  const project = await tempDir('certkit-hook-project-');
  await renderProject(makeConfig(env), project, TEMPLATES);
  const rendered = await readFile(join(project, 'certbot', 'deploy-hook.sh'), 'utf8');
  expect(rendered).toContain(CONTAINER_DEPLOY);
  const deploy = join(project, 'deploy');
  const script = join(project, 'hook.sh');
  await writeFile(script, rendered.replaceAll(CONTAINER_DEPLOY, deploy));
  return { script, deploy: join(deploy, NAME) };
}

/** A certbot lineage with versions 1 and 2 in archive/, live/ pointing at `version` (relative links, as certbot makes). */
async function buildLineage(): Promise<{ root: string; lineage: string; pointAt(version: number): Promise<void> }> {
  const store = await buildStore([{ name: NAME, domains: [NAME], versions: 2 }]);
  onTestFinished(() => store.remove());
  const lineage = join(store.root, 'live', NAME);
  const pointAt = async (version: number) => {
    for (const kind of KINDS) {
      await unlink(join(lineage, `${kind}.pem`));
      await symlink(`../../archive/${NAME}/${kind}${version}.pem`, join(lineage, `${kind}.pem`));
    }
  };
  await pointAt(1);
  return { root: store.root, lineage, pointAt };
}

async function runHook(script: string, lineage: string): Promise<string> {
  const { stdout } = await exec('sh', [script], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', RENEWED_LINEAGE: lineage } });
  return stdout;
}

const archived = (root: string, kind: string, version: number) => readFile(join(root, 'archive', NAME, `${kind}${version}.pem`), 'utf8');
const asRoot = process.getuid?.() === 0;
const modeOf = async (path: string) => ((await stat(path)).mode & 0o777).toString(8).padStart(4, '0');

async function expectContents(root: string, deploy: string, version: number, bundle: boolean): Promise<void> {
  for (const kind of KINDS) expect(await readFile(join(deploy, `${kind}.pem`), 'utf8')).toBe(await archived(root, kind, version));
  if (bundle)
    expect(await readFile(join(deploy, 'bundle.pem'), 'utf8')).toBe(
      (await archived(root, 'privkey', version)) + (await archived(root, 'fullchain', version)),
    );
}

describe('deploy-hook.sh', { timeout: 30_000 }, () => {
  it.each(['copy', 'hardlink', 'symlink'] as const)(
    '%s: deploys, leaves no temp file, and replaces every file after a renewal',
    async (mode) => {
      const { root, lineage, pointAt } = await buildLineage();
      const { script, deploy } = await renderHook({ CERTKIT_DEPLOY_MODE: mode });
      expect(await runHook(script, lineage)).toContain(`deployed ${NAME} to ${deploy} (${mode})`);
      const expected = ['bundle.pem', 'cert.pem', 'chain.pem', 'fullchain.pem', 'privkey.pem', 'tls'];
      expect((await readdir(deploy)).sort()).toEqual(expected);
      await expectContents(root, deploy, 1, true);

      await pointAt(2);
      await runHook(script, lineage);
      expect((await readdir(deploy)).sort()).toEqual(expected);
      await expectContents(root, deploy, 2, true);
      expect(await readFile(join(deploy, 'tls', 'current.pem'), 'utf8')).toBe(await readFile(join(deploy, 'bundle.pem'), 'utf8'));
    },
  );

  it('keeps each bundle version as its own file, tls/current.pem linking to the newest, and the one before it', async () => {
    const { root, lineage, pointAt } = await buildLineage();
    const { script, deploy } = await renderHook({ CERTKIT_DEPLOY_MODE: 'copy' });
    const tls = join(deploy, 'tls');
    await runHook(script, lineage);
    expect(await readlink(join(tls, 'current.pem'))).toBe('1.pem');
    const first = await stat(join(tls, '1.pem'));
    // A second name keeps 1.pem's inode in use after the hook deletes it, so the file system cannot hand it to 4.pem.
    await link(join(tls, '1.pem'), join(root, 'first-version.pem'));
    for (const version of [2, 1, 2]) {
      await pointAt(version);
      await runHook(script, lineage);
    }
    // nginx resolves the link, then opens the file twice: a version is never rewritten, so both reads agree.
    expect((await readdir(tls)).sort()).toEqual(['3.pem', '4.pem', 'current.pem']);
    expect(await readlink(join(tls, 'current.pem'))).toBe('4.pem');
    expect(await readFile(join(tls, '4.pem'), 'utf8')).toBe((await archived(root, 'privkey', 2)) + (await archived(root, 'fullchain', 2)));
    expect(await modeOf(join(tls, '4.pem'))).toBe(asRoot ? '0640' : '0600');
    expect((await stat(join(tls, '4.pem'))).ino).not.toBe(first.ino);
    if (asRoot) expect([(await stat(tls)).gid, await modeOf(tls)]).toEqual([KEY_READER_GID, '0750']);
  });

  it("copy: five regular files, certificates 0644, key 0600 and bundle 0640 (its group: nginx's key readers) by default", async () => {
    const { lineage } = await buildLineage();
    const { script, deploy } = await renderHook({ CERTKIT_DEPLOY_MODE: 'copy' });
    await runHook(script, lineage);
    const modes: Record<string, string> = {};
    for (const file of (await readdir(deploy)).filter((entry) => entry !== 'tls')) {
      const info = await stat(join(deploy, file));
      expect(info.isFile() && info.nlink === 1).toBe(true);
      modes[file] = await modeOf(join(deploy, file));
    }
    expect(modes).toEqual({
      'cert.pem': '0644',
      'chain.pem': '0644',
      'fullchain.pem': '0644',
      'privkey.pem': '0600',
      'bundle.pem': asRoot ? '0640' : '0600',
    });
    // certbot runs its hooks as root; elsewhere chgrp is refused and the bundle stays private to its owner.
    if (asRoot) expect((await stat(join(deploy, 'bundle.pem'))).gid).toBe(KEY_READER_GID);
  });

  it('copy: takes the modes from CERTKIT_DEPLOY_CERT_MODE and CERTKIT_DEPLOY_KEY_MODE', async () => {
    const { lineage } = await buildLineage();
    const { script, deploy } = await renderHook({
      CERTKIT_DEPLOY_MODE: 'copy',
      CERTKIT_DEPLOY_CERT_MODE: '0640',
      CERTKIT_DEPLOY_KEY_MODE: '0400',
    });
    await runHook(script, lineage);
    for (const kind of ['cert', 'chain', 'fullchain']) expect(await modeOf(join(deploy, `${kind}.pem`))).toBe('0640');
    expect(await modeOf(join(deploy, 'privkey.pem'))).toBe('0400');
    expect(await modeOf(join(deploy, 'bundle.pem'))).toBe(asRoot ? '0440' : '0400');
  });

  it('hardlink: the deployed files are the archive files (same inode) on the same filesystem; the bundle is its own file', async () => {
    const { root, lineage, pointAt } = await buildLineage();
    const { script, deploy } = await renderHook({ CERTKIT_DEPLOY_MODE: 'hardlink' });
    const sameInode = async (version: number) => {
      for (const kind of KINDS) {
        const [deployed, source] = await Promise.all([
          stat(join(deploy, `${kind}.pem`)),
          stat(join(root, 'archive', NAME, `${kind}${version}.pem`)),
        ]);
        expect([deployed.dev, deployed.ino]).toEqual([source.dev, source.ino]);
      }
    };
    await runHook(script, lineage);
    await sameInode(1);
    expect((await stat(join(deploy, 'bundle.pem'))).nlink).toBe(1);
    // A second run for the same version (a redeploy) must not trip over "same file" renames.
    await runHook(script, lineage);
    await sameInode(1);
    expect((await readdir(deploy)).filter((file) => file.includes('certkit-new'))).toEqual([]);
    await pointAt(2);
    await runHook(script, lineage);
    await sameInode(2);
  });

  it('symlink: links to the live paths, and a regular bundle.pem (what nginx, which cannot follow them, serves)', async () => {
    const { root, lineage } = await buildLineage();
    const { script, deploy } = await renderHook({ CERTKIT_DEPLOY_MODE: 'symlink' });
    await runHook(script, lineage);
    for (const kind of KINDS) expect(await readlink(join(deploy, `${kind}.pem`))).toBe(join(lineage, `${kind}.pem`));
    const bundle = await lstat(join(deploy, 'bundle.pem'));
    expect(bundle.isFile()).toBe(true);
    expect((bundle.mode & 0o777).toString(8)).toBe('640'); // group-readable by nginx's key-reader group alone
    await expectContents(root, deploy, 1, true);
  });

  it.each([
    ['copy', 'symlink'],
    ['symlink', 'copy'],
    ['hardlink', 'symlink'],
  ] as const)('a bundle.pem left by %s mode is rewritten after a switch to %s and a renewal', async (first, second) => {
    const { root, lineage, pointAt } = await buildLineage();
    const before = await renderHook({ CERTKIT_DEPLOY_MODE: first });
    await runHook(before.script, lineage);
    const after = await renderHook({ CERTKIT_DEPLOY_MODE: second });
    const deploy = after.deploy;
    await rm(deploy, { recursive: true, force: true });
    await cp(before.deploy, deploy, { recursive: true, verbatimSymlinks: true });
    await pointAt(2);
    await runHook(after.script, lineage);
    await expectContents(root, deploy, 2, true);
  });

  it.each(['copy', 'hardlink', 'symlink'] as const)(
    '%s: a failed deploy leaves no temp file and the deployed files as they were',
    async (mode) => {
      const { root, lineage, pointAt } = await buildLineage();
      const { script, deploy } = await renderHook({ CERTKIT_DEPLOY_MODE: mode });
      await runHook(script, lineage);
      await pointAt(2);
      // fullchain.pem of version 2 is gone, as if the disk filled or a file vanished mid-deploy: the hook fails part-way.
      await rm(join(root, 'archive', NAME, 'fullchain2.pem'));
      await expect(runHook(script, lineage)).rejects.toThrow();
      expect((await readdir(deploy)).filter((file) => file.includes('certkit-new'))).toEqual([]);
      expect(await readFile(join(deploy, 'bundle.pem'), 'utf8')).toBe(
        (await archived(root, 'privkey', 1)) + (await archived(root, 'fullchain', 1)),
      );
    },
  );

  it.skipIf(process.getuid?.() !== 0).each(['copy', 'hardlink'] as const)(
    '%s: CERTKIT_DEPLOY_OWNER=uid:gid owns every deployed file',
    async (mode) => {
      const { lineage } = await buildLineage();
      const { script, deploy } = await renderHook({ CERTKIT_DEPLOY_MODE: mode, CERTKIT_DEPLOY_OWNER: '4321:8765' });
      await runHook(script, lineage);
      for (const file of (await readdir(deploy)).filter((entry) => entry !== 'tls')) {
        const info = await stat(join(deploy, file));
        expect([file, info.uid, info.gid]).toEqual([file, 4321, file === 'bundle.pem' ? KEY_READER_GID : 8765]);
      }
    },
  );
});

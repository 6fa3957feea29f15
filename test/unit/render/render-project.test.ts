import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { renderProject, resolveTemplatesDir } from '../../../src/render/render-project.js';
import { makeConfig } from '../support/make-config.js';
import { CONFIG_STAMP_PLACEHOLDER, findConfigStamp } from '../../../src/render/config-stamp.js';

const PACKAGED = fileURLToPath(new URL('../../../templates', import.meta.url));

const tempDirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'certkit-project-'));
  tempDirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('resolveTemplatesDir', () => {
  it("uses the project's own templates/ when it holds both nginx/ and certbot/", async () => {
    const project = await tempDir();
    await mkdir(join(project, 'templates', 'nginx'), { recursive: true });
    await mkdir(join(project, 'templates', 'certbot'));
    expect(resolveTemplatesDir(project)).toBe(join(project, 'templates'));
  });

  it('falls back to the templates shipped with certkit otherwise', async () => {
    const project = await tempDir();
    await mkdir(join(project, 'templates', 'nginx'), { recursive: true });
    expect(resolveTemplatesDir(project)).toBe(PACKAGED);
  });
});

describe('renderProject', () => {
  it('renders certbot/ and nginx/ into the project, then reports no change on a second run', async () => {
    const project = await tempDir();
    const config = makeConfig();
    expect(await renderProject(config, project, PACKAGED)).toMatchObject({
      certbotScriptsChanged: true,
      deployHookChanged: true,
      nginxChanged: true,
    });
    expect((await stat(join(project, 'certbot/update-cert.sh'))).mode & 0o777).toBe(0o755);
    expect(await readFile(join(project, 'nginx/site-http.conf'), 'utf8')).toContain('server_name widgets.eu;');
    const again = await renderProject(config, project, PACKAGED);
    expect(again).toEqual({
      files: [],
      certbotScriptsChanged: false,
      deployHookChanged: false,
      nginxChanged: false,
      retained: [],
      configStamp: expect.stringMatching(/^certkit-config [0-9a-f]{16}$/),
    });
  });

  it('stamps every nginx file with one digest of the rendering: the same settings give the same stamp, a change another (issue 19)', async () => {
    const project = await tempDir();
    const first = await renderProject(makeConfig(), project, PACKAGED);
    for (const file of ['site-http.conf', 'site-https.conf', 'certkit-acme.conf']) {
      const text = await readFile(join(project, 'nginx', file), 'utf8');
      expect(findConfigStamp(text)).toBe(first.configStamp);
      expect(text).not.toContain(CONFIG_STAMP_PLACEHOLDER);
    }
    expect((await renderProject(makeConfig(), project, PACKAGED)).configStamp).toBe(first.configStamp);
    const changed = await renderProject(makeConfig({ NGINX_HSTS_MAX_AGE: '600' }), project, PACKAGED);
    expect(changed.configStamp).not.toBe(first.configStamp);
    expect(findConfigStamp(await readFile(join(project, 'nginx/site-http.conf'), 'utf8'))).toBe(changed.configStamp);
  });

  it('says which containers a change concerns', async () => {
    const project = await tempDir();
    await renderProject(makeConfig(), project, PACKAGED);
    const changes = await renderProject(makeConfig({ NGINX_HTTPS_PORT: '8443' }), project, PACKAGED);
    expect(changes).toMatchObject({ nginxChanged: true, deployHookChanged: false });
    expect(changes.files.every((file) => file.startsWith('nginx/') || file.startsWith('certbot/'))).toBe(true);
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { checkNginx } from '../../../src/nginx/check-nginx.js';
import { renderProject } from '../../../src/render/render-project.js';
import { FakeEngine } from '../support/fake-engine.js';
import { makeConfig } from '../support/make-config.js';

async function renderedProject(env: Record<string, string> = {}): Promise<{ dir: string; stamp: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'certkit-check-nginx-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return { dir, stamp: (await renderProject(makeConfig(env), dir)).configStamp };
}

const check = (engine: FakeEngine, projectDir: string) =>
  checkNginx({ engine, project: engine.project, self: undefined, projectDir, name: 'widgets.eu', probe: engine.configProbe });

describe('checkNginx: what status says about nginx as a whole (issue 19)', () => {
  it('nothing when nginx runs and serves the stamp of the files on disk', async () => {
    const engine = new FakeEngine();
    const { dir, stamp } = await renderedProject();
    engine.runningStamp = stamp;
    expect(await check(engine, dir)).toEqual([]);
  });

  it.each([
    ['restarting', true],
    ['restarting', false],
    ['exited', false],
  ])('nginx %s (running=%s): nothing serves HTTPS, with where to look', async (state, running) => {
    const engine = new FakeEngine();
    const { dir } = await renderedProject();
    Object.assign(engine.nginx, { state, running });
    const problems = await check(engine, dir);
    expect(problems).toEqual([expect.stringContaining(`the nginx container (ck-nginx-1) is ${state}: nothing serves HTTPS`)]);
    expect(problems[0]).toContain('docker compose logs nginx');
  });

  it('no nginx container at all', async () => {
    const engine = new FakeEngine();
    const { dir } = await renderedProject();
    const problems = await checkNginx({
      engine,
      project: engine.project,
      self: undefined,
      service: 'web',
      projectDir: dir,
      name: undefined,
    });
    expect(problems).toEqual([expect.stringContaining('no web container in Compose project "ck"')]);
  });

  it('a rendering nginx does not run (a setting changed, nginx not reloaded): both stamps and the fix', async () => {
    const engine = new FakeEngine();
    engine.runningStamp = (await renderedProject({ NGINX_HSTS_MAX_AGE: '300' })).stamp;
    const { dir, stamp } = await renderedProject({ NGINX_HSTS_MAX_AGE: '600' });
    const problems = await check(engine, dir);
    expect(problems).toEqual([
      `nginx runs ${engine.runningStamp}, not the rendered ${stamp}: a change has not reached it. Run \`certkit update\` (it reloads nginx after nginx -t) and read \`docker compose logs nginx\` if it refuses`,
    ]);
  });

  it('an nginx that answers no stamp is not taken for one running the files on disk', async () => {
    const engine = new FakeEngine();
    const { dir } = await renderedProject();
    engine.runningStamp = undefined;
    expect(await check(engine, dir)).toEqual([expect.stringMatching(/^nginx runs an unknown configuration \(nginx answers with HTTP 404/)]);
  });

  it('nothing to compare with when nothing was rendered in the folder', async () => {
    const engine = new FakeEngine();
    const dir = await mkdtemp(join(tmpdir(), 'certkit-check-nginx-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    expect(await check(engine, dir)).toEqual([]);
  });
});

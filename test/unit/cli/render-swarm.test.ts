import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/main.js';

const ENV = 'CERTBOT_DOMAIN=shop.widgets.eu\nCERTBOT_EMAIL=ops@widgets.eu\nCERTKIT_SWARM_STACK=shop\n';

// Before the stack's first deploy (here: no engine at all), render writes what compose.swarm.yaml reads for .env's
// site, says the stack was not read, and renders none of Compose's files.
describe('certkit render with CERTKIT_SWARM_STACK, before the stack runs', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'certkit-render-swarm-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function render(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const code = await run(['render', ...args], {
      env: { DOCKER_HOST: `unix://${join(dir, 'no-engine.sock')}` },
      cwd: dir,
      stdout: (text) => void (stdout += text),
      stderr: (text) => void (stderr += text),
    });
    return { code, stdout, stderr };
  }

  it('--check writes nothing; render writes swarm/nginx.conf and swarm/docker-proxy.cfg only', async () => {
    await writeFile(join(dir, '.env'), ENV);
    await writeFile(join(dir, 'sites.yaml'), 'wiki:\n  host: wiki.widgets.eu\n  upstream: http://10.0.0.2:80\n');
    const check = await render(['--check']);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toContain(
      'Swarm stack shop, sites shop.widgets.eu); a render would write swarm/nginx.conf, swarm/docker-proxy.cfg',
    );
    expect(check.stderr).toMatch(/stack shop was not read: swarm\/nginx\.conf is rendered for the sites of \.env alone/);
    expect(check.stderr).toContain('site wiki: sites.yaml line 1: (the sites file)="wiki.widgets.eu" is not read on Swarm');
    expect((await readdir(dir)).sort()).toEqual(['.env', 'sites.yaml']);

    const written = await render([]);
    expect(written.code, written.stderr).toBe(0);
    expect(written.stdout).toContain('rendered swarm/nginx.conf, swarm/docker-proxy.cfg (Swarm stack shop, sites shop.widgets.eu)');
    expect(written.stdout).toMatch(/what shop_nginx runs was not compared/);
    expect((await readdir(dir)).sort()).toEqual(['.env', 'sites.yaml', 'swarm']);
    expect(await readFile(join(dir, 'swarm', 'nginx.conf'), 'utf8')).toContain('server_name shop.widgets.eu;');
    expect((await render(['--check'])).stdout).toContain('the rendered files are up to date');
  });
});

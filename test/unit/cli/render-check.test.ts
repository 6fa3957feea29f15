import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/main.js';
import { unstampConfig } from '../../../src/render/config-stamp.js';

/** Dify's docker/.env as shipped: certkit must refuse it before Compose touches the app's nginx. */
const DIFY_PLACEHOLDERS =
  'CERTBOT_DOMAIN=your_domain.com\nCERTBOT_EMAIL=your_email@example.com\nCERTBOT_OPTIONS=\nCERTKIT_NGINX_MODE=own\n';
const VALID = 'CERTBOT_DOMAIN=dify.widgets.eu\nCERTBOT_EMAIL=ops@widgets.eu\nCERTKIT_NGINX_MODE=own\n';

describe('certkit render --check and --keep-serving: a bad .env never reaches the app', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'certkit-render-check-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function render(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const code = await run(['render', ...args], {
      env,
      cwd: dir,
      stdout: (text) => void (stdout += text),
      stderr: (text) => void (stderr += text),
    });
    return { code, stdout, stderr };
  }

  it("--check refuses Dify's placeholders, naming the variable, and writes nothing", async () => {
    await writeFile(join(dir, '.env'), DIFY_PLACEHOLDERS);
    const { code, stderr } = await render(['--check']);
    expect(code).toBe(2);
    expect(stderr).toContain('CERTBOT_DOMAIN: "your_domain.com"');
    expect(await readdir(dir)).toEqual(['.env']);
  });

  it('--check refuses a CERTBOT_OPTIONS flag certkit-init refuses, with the way to do it', async () => {
    await writeFile(join(dir, '.env'), `${VALID}CERTBOT_OPTIONS=--dry-run\n`);
    const { code, stderr } = await render(['--check']);
    expect(code).toBe(2);
    expect(stderr).toContain('CERTBOT_OPTIONS: "--dry-run" sets --dry-run, which certkit refuses: use `certkit update --dry-run`');
    expect(await readdir(dir)).toEqual(['.env']);
  });

  it('--check passes a valid .env, says what a render would write, and writes nothing', async () => {
    await writeFile(join(dir, '.env'), VALID);
    const { code, stdout } = await render(['--check']);
    expect(code).toBe(0);
    expect(stdout).toContain('.env is valid for certkit (dify.widgets.eu, nginx mode own); a render would write ');
    expect(stdout).toContain('nginx/certkit-acme.conf');
    expect(await readdir(dir)).toEqual(['.env']);
    expect((await render([])).code).toBe(0);
    expect((await render(['--check'])).stdout).toContain('the rendered files are up to date');
  });

  it('--keep-serving on a bad .env: exit 0, the error on stderr; the ACME location is written, the TLS include adds nothing', async () => {
    await writeFile(join(dir, '.env'), DIFY_PLACEHOLDERS);
    const { code, stderr } = await render(['--keep-serving']);
    expect(code).toBe(0);
    expect(stderr).toContain('CERTBOT_DOMAIN: "your_domain.com"');
    expect(stderr).toContain('Fix .env, check it with `certkit render --check`');
    expect(await readdir(join(dir, 'nginx'))).toEqual(['certkit-acme.conf', 'certkit-tls.conf']);
    const tls = await readFile(join(dir, 'nginx/certkit-tls.conf'), 'utf8');
    expect(tls.split('\n').every((line) => line === '' || line.startsWith('#'))).toBe(true);
    // The ACME location needs nothing from .env: once .env is fixed, a first validation passes with no reload (the
    // file differs only by the stamp of the whole rendering, which changes with the other files).
    const acme = await readFile(join(dir, 'nginx/certkit-acme.conf'), 'utf8');
    await writeFile(join(dir, '.env'), VALID);
    expect((await render([])).code).toBe(0);
    expect(unstampConfig(await readFile(join(dir, 'nginx/certkit-acme.conf'), 'utf8'))).toBe(unstampConfig(acme));
    expect(acme).toContain('location ^~ /.well-known/acme-challenge/');
  });

  it('--keep-serving keeps the snippets a valid .env rendered before, and a fixed .env renders them again', async () => {
    await writeFile(join(dir, '.env'), VALID);
    expect((await render(['--keep-serving'])).code).toBe(0);
    const rendered = await readFile(join(dir, 'nginx/certkit-tls.conf'), 'utf8');
    expect(rendered).toContain('include /etc/certkit/deploy/dify.widgets.eu/');
    await writeFile(join(dir, '.env'), `${VALID}CERTBOT_OPTIONS=--test-cert\n`);
    expect((await render(['--keep-serving'])).code).toBe(0);
    expect(await readFile(join(dir, 'nginx/certkit-tls.conf'), 'utf8')).toBe(rendered);
  });

  it('without --keep-serving, a bad .env still fails (exit 2), as in the kit', async () => {
    await writeFile(join(dir, '.env'), DIFY_PLACEHOLDERS);
    expect((await render([])).code).toBe(2);
  });

  // With CERTKIT_SWARM_STACK, before the stack's first deploy (here: no engine at all), render writes what
  // compose.swarm.yaml reads for .env's site, says the stack was not read, and renders none of Compose's files.
  const SWARM_ENV = 'CERTBOT_DOMAIN=shop.widgets.eu\nCERTBOT_EMAIL=ops@widgets.eu\nCERTKIT_SWARM_STACK=shop\n';
  const noEngine = () => ({ DOCKER_HOST: `unix://${join(dir, 'no-engine.sock')}` });

  it('--check writes nothing; render writes swarm/nginx.conf and swarm/docker-proxy.cfg only', async () => {
    await writeFile(join(dir, '.env'), SWARM_ENV);
    await writeFile(join(dir, 'sites.yaml'), 'wiki:\n  host: wiki.widgets.eu\n  upstream: http://10.0.0.2:80\n');
    const check = await render(['--check'], noEngine());
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toContain(
      'Swarm stack shop, sites shop.widgets.eu); a render would write swarm/nginx.conf, swarm/docker-proxy.cfg',
    );
    expect(check.stderr).toMatch(/stack shop was not read: swarm\/nginx\.conf is rendered for the sites of \.env alone/);
    expect(check.stderr).toContain('site wiki: sites.yaml line 1: (the sites file)="wiki.widgets.eu" is not read on Swarm');
    expect((await readdir(dir)).sort()).toEqual(['.env', 'sites.yaml']);

    const written = await render([], noEngine());
    expect(written.code, written.stderr).toBe(0);
    expect(written.stdout).toContain('rendered swarm/nginx.conf, swarm/docker-proxy.cfg (Swarm stack shop, sites shop.widgets.eu)');
    expect(written.stdout).toMatch(/what shop_nginx runs was not compared/);
    expect((await readdir(dir)).sort()).toEqual(['.env', 'sites.yaml', 'swarm']);
    expect(await readFile(join(dir, 'swarm', 'nginx.conf'), 'utf8')).toContain('server_name shop.widgets.eu;');
    expect((await render(['--check'], noEngine())).stdout).toContain('the rendered files are up to date');
  });
});

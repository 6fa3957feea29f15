import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/main.js';
import { buildAllowlist } from '../../../src/docker/api-allowlist.js';
import { buildSwarmAllowlist } from '../../../src/docker/swarm-allowlist.js';
import {
  DOCKER_PROXY_CONFIG,
  dockerProxyScope,
  SWARM_DOCKER_PROXY_CONFIG,
  swarmDockerProxyScope,
} from '../../../src/render/render-docker-proxy.js';

const ENV = 'CERTBOT_DOMAIN=shop.widgets.eu\nCERTBOT_EMAIL=ops@widgets.eu\n';

describe("certkit render writes the socket proxy's configuration for this project", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'certkit-docker-proxy-'));
    await writeFile(join(dir, '.env'), ENV);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function render(env: NodeJS.ProcessEnv, args: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
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

  it('one HAProxy rule per allowlist rule, with its method and pattern as the allowlist module has them, then deny', async () => {
    const { code, stdout } = await render({ CERTKIT_CONTAINER: 'certkit-init', COMPOSE_PROJECT_NAME: 'shop_1' });
    expect(code).toBe(0);
    expect(stdout).toContain(DOCKER_PROXY_CONFIG);
    const config = await readFile(join(dir, DOCKER_PROXY_CONFIG), 'utf8');
    const rules = buildAllowlist(dockerProxyScope('shop_1', 'nginx'));
    const lines = config.split('\n').filter((line) => line.trim().startsWith('http-request allow'));
    expect(lines).toHaveLength(rules.length);
    rules.forEach((rule, index) => {
      expect(lines[index]).toContain(`{ method ${rule.method} } { url_reg '${rule.url}' }`);
      if (rule.body) expect(lines[index]).toContain(`{ req.body -m reg '${rule.body}' }`);
    });
    expect(config).toMatch(/http-request allow[^\n]*\n\s*http-request deny deny_status 403 [^\n]*\n\s*default_backend engine/);
    // The 403 names what was refused and the project the rules were rendered for.
    expect(config).toContain(
      'lf-string "certkit docker-proxy (Compose project shop_1) refused %[method] %[url]: not a call certkit makes\\n"',
    );
    expect(config).toContain('server engine /var/run/docker.sock');
  });

  it('on Swarm (CERTKIT_SWARM_STACK), swarm/docker-proxy.cfg: one rule per Swarm allowlist rule, the update guarded by its body', async () => {
    await writeFile(join(dir, '.env'), `${ENV}CERTKIT_SWARM_STACK=shop\n`);
    const { code, stdout } = await render({});
    expect(code).toBe(0);
    expect(stdout).toContain(SWARM_DOCKER_PROXY_CONFIG);
    const config = await readFile(join(dir, SWARM_DOCKER_PROXY_CONFIG), 'utf8');
    const rules = buildSwarmAllowlist(swarmDockerProxyScope('shop', 'nginx'));
    const lines = config.split('\n').filter((line) => line.trim().startsWith('http-request allow'));
    expect(lines).toHaveLength(rules.length);
    rules.forEach((rule, index) => {
      expect(lines[index]).toContain(`{ method ${rule.method} } { url_reg '${rule.url}' }`);
      if (rule.body) expect(lines[index]).toContain(`{ req.body -m reg '${rule.body}' }`);
      for (const refused of rule.refusedBodies ?? []) expect(lines[index]).toContain(`!{ req.body -m reg -i '${refused}' }`);
    });
    expect(config).toContain("{ url_reg '^/v1[.][0-9]+/services/shop_nginx/update[?]version=[0-9]+$' } { req.body_size le 262144 }");
    expect(config).toContain('Swarm stack shop) refused %[method] %[url]: not a call certkit makes');
  });

  it("names the app's nginx service (CERTKIT_NGINX_SERVICE) in the exec and reload rules", async () => {
    await writeFile(join(dir, '.env'), `${ENV}CERTKIT_NGINX_MODE=own\nCERTKIT_NGINX_SERVICE=web-proxy\n`);
    expect((await render({ CERTKIT_CONTAINER: 'certkit-init', COMPOSE_PROJECT_NAME: 'shop' })).code).toBe(0);
    const config = await readFile(join(dir, DOCKER_PROXY_CONFIG), 'utf8');
    expect(config).toContain("'^/v1[.][0-9]+/containers/shop[-_]web-proxy[-_](?:[0-9]+|run[-_][0-9a-f]{6,64})/kill[?]signal=SIGHUP$'");
    expect(config).not.toContain('shop[-_]nginx[-_]');
  });

  it('on the host, the folder name is the project, as Compose has it', async () => {
    expect((await render({})).code).toBe(0);
    const config = await readFile(join(dir, DOCKER_PROXY_CONFIG), 'utf8');
    const folder = dir.split('/').pop()?.toLowerCase() ?? '';
    expect(config).toContain(`Compose project ${folder};`);
  });

  it('in certkit-init without the project name (Compose v1, no COMPOSE_PROJECT_NAME): refused, naming the fix', async () => {
    const { code, stderr } = await render({ CERTKIT_CONTAINER: 'certkit-init', DOCKER_HOST: 'tcp://docker-proxy:2375' });
    expect(code).toBe(2);
    expect(stderr).toContain('Set COMPOSE_PROJECT_NAME in .env');
  });

  it('without the name but with the socket mounted directly (compose.docker-socket.yaml): a proxy that refuses everything', async () => {
    const { code } = await render({ CERTKIT_CONTAINER: 'certkit-init', DOCKER_HOST: 'unix:///var/run/docker.sock' });
    expect(code).toBe(0);
    const config = await readFile(join(dir, DOCKER_PROXY_CONFIG), 'utf8');
    expect(config).not.toContain('http-request allow');
    expect(config).toContain('http-request deny deny_status 403');
  });

  it('render --check lists the proxy configuration when it would change', async () => {
    const env = { CERTKIT_CONTAINER: 'certkit-init', COMPOSE_PROJECT_NAME: 'shop' };
    expect((await render(env, ['--check'])).stdout).toContain(DOCKER_PROXY_CONFIG);
    await render(env);
    expect((await render(env, ['--check'])).stdout).toContain('the rendered files are up to date');
    expect((await render({ ...env, COMPOSE_PROJECT_NAME: 'other' }, ['--check'])).stdout).toContain(DOCKER_PROXY_CONFIG);
  });
});

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadProjectConfig, loadProjectEnv, type Io } from '../../../src/cli/context.js';
import { run } from '../../../src/cli/main.js';

/** `certkit render` in a bare project folder: it reads .env first and fails before touching templates or Docker. */
describe('first steps: the .env file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'certkit-first-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function render(env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stderr: string }> {
    let stderr = '';
    const code = await run(['render'], { env, cwd: dir, stdout: () => undefined, stderr: (text) => void (stderr += text) });
    return { code, stderr };
  }

  it('without .env, says so and gives the copy command (exit 2)', async () => {
    const { code, stderr } = await render();
    expect(code).toBe(2);
    expect(stderr).toContain(
      'There is no .env file (looked for .env). Create it from the example and set CERTBOT_DOMAIN:\n  cp .env.example .env\n',
    );
    expect(stderr).toContain('CERTBOT_DOMAIN: "" is empty');
  });

  it('a .env that is a folder: exit 2 and a message naming the path, no stack trace', async () => {
    await mkdir(join(dir, '.env'));
    const { code, stderr } = await render();
    expect(code).toBe(2);
    expect(stderr).toBe(
      `certkit: cannot read ${join(dir, '.env')}: it is a folder, not a file. Remove the folder (a bind mount of a missing file creates one), then copy .env.example to .env\n`,
    );
  });

  it('warns about a misspelt variable on stderr, naming the one it probably meant', async () => {
    await writeFile(join(dir, '.env'), 'CERTBOT_DOMIAN=widgets.eu\n');
    const { code, stderr } = await render();
    expect(code).toBe(2);
    expect(stderr).toContain(
      'certkit: warning: CERTBOT_DOMIAN (.env line 1) is not a setting certkit knows, so it is ignored; did you mean CERTBOT_DOMAIN? Rename it.\n',
    );
    expect(stderr).not.toContain('There is no .env file');
  });

  it('a caller that reads the configuration again (the daemon) warns once per misspelling, not at every read', async () => {
    await writeFile(join(dir, '.env'), 'CERTBOT_DOMAIN=widgets.eu\nCERTBOT_EMAIL=ops@widgets.eu\nCERTBOT_DOMIAN=widgets.eu\n');
    let stderr = '';
    const io: Io = {
      env: {},
      cwd: dir,
      stdout: () => undefined,
      stderr: (text: string) => void (stderr += text),
      now: () => new Date(0),
      sleep: async () => undefined,
      createEngine: () => {
        throw new Error('reading the configuration must not touch Docker');
      },
    };
    const warned = new Set<string>();
    for (let read = 0; read < 3; read += 1) await loadProjectConfig({}, io, warned);
    expect(stderr.match(/CERTBOT_DOMIAN/g)).toHaveLength(1);
    await writeFile(join(dir, '.env'), 'CERTBOT_DOMAIN=widgets.eu\nCERTBOT_EMAIL=ops@widgets.eu\nCERTBOT_EMIAL=x\n');
    await loadProjectConfig({}, io, warned);
    expect(stderr).toContain('CERTBOT_EMIAL');
  });

  it('commands that need no valid configuration still find the nginx service .env names (CERTKIT_NGINX_SERVICE)', async () => {
    await writeFile(join(dir, '.env'), 'COMPOSE_PROJECT_NAME=shop\nCERTKIT_NGINX_SERVICE=web-proxy\n');
    const io = { env: {}, cwd: dir } as unknown as Io;
    expect(await loadProjectEnv({}, io)).toEqual({ projectDir: dir, envFileProject: 'shop', nginxService: 'web-proxy' });
    const overridden = { env: { CERTKIT_NGINX_SERVICE: 'edge' }, cwd: dir } as unknown as Io;
    expect((await loadProjectEnv({}, overridden)).nginxService).toBe('edge');
  });

  it("status and doctor read CERTKIT_SWARM_STACK as Config's swarm is, on a .env whose other settings do not load", async () => {
    await writeFile(join(dir, '.env'), 'CERTBOT_DOMAIN=\nCERTKIT_SWARM_STACK=shop\n');
    const io = { env: {}, cwd: dir } as unknown as Io;
    expect((await loadProjectEnv({}, io)).swarm).toEqual({ stack: 'shop' });
    const fromEnv = { env: { CERTKIT_SWARM_STACK: ' edge ' }, cwd: dir } as unknown as Io;
    const config = (await loadProjectConfig({}, { ...fromEnv, env: { ...fromEnv.env, CERTBOT_DOMAIN: 'widgets.eu' } }, new Set())).config;
    expect(config.swarm).toEqual({ stack: 'edge' });
    expect((await loadProjectEnv({}, fromEnv)).swarm).toEqual(config.swarm);
    // A value Swarm refuses is refused here too, naming the variable and the line, not taken for Compose mode.
    await writeFile(join(dir, '.env'), 'CERTKIT_SWARM_STACK=Shop Stack\n');
    await expect(loadProjectEnv({}, io)).rejects.toThrow(/CERTKIT_SWARM_STACK: "Shop Stack" .*line 1/);
  });
});

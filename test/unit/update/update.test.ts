import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { readCertificateInfo } from '../../../src/certs/read-certificate.js';
import { run } from '../../../src/cli/main.js';
import { LOCK_PATH } from '../../../src/stack/layout.js';
import { issueCertificate } from '../../fixtures/make-certificates.js';
import { FakeEngine, type FakeIssue } from '../support/fake-engine.js';
import { makeConfig } from '../support/make-config.js';
import { fakeUpdate as update, START } from '../support/fake-update.js';

const DAY_MS = 86_400_000;

/** A 90-day certificate for widgets.eu issued `ageDays` before START. */
async function certificate(ageDays: number, label: string): Promise<FakeIssue> {
  const notBefore = new Date(START.getTime() - ageDays * DAY_MS);
  const issued = await issueCertificate({
    domains: ['widgets.eu'],
    notBefore,
    notAfter: new Date(notBefore.getTime() + 90 * DAY_MS),
    label,
  });
  return { cert: issued.cert, fullchain: issued.fullchain, privkey: issued.privkey };
}

const serialOf = (issue: FakeIssue): string => readCertificateInfo(issue.cert).serial;

const certbotCommands = (engine: FakeEngine): string[] =>
  engine.certbotRuns.filter((argv) => argv[0] === 'certbot' && argv[1] !== '--version').map((argv) => argv[1] ?? '');

describe('runUpdate against a fake engine', { timeout: 30_000 }, () => {
  it('first issuance: certonly, deploy, switch nginx to HTTPS, verify it serves the new serial', async () => {
    const engine = new FakeEngine();
    const issued = await certificate(0, 'first');
    engine.queued.push(issued);
    const { result } = await update(engine);
    expect(result).toMatchObject({ action: 'issued', serial: serialOf(issued), reloaded: true });
    expect(result.served).toEqual([{ name: 'widgets.eu', serial: serialOf(issued) }]);
    expect(certbotCommands(engine)).toEqual(['certonly']);
    expect(engine.certbot.files.has(LOCK_PATH)).toBe(false);
  });

  it('renewal: a due certificate is renewed and served with no reload when nginx reads it at handshakes', async () => {
    const engine = new FakeEngine();
    const old = await certificate(70, 'old');
    const renewed = await certificate(0, 'renewed');
    engine.seed('widgets.eu', old, { deployed: true, served: true });
    engine.queued.push(renewed);
    const { result } = await update(engine);
    expect(result).toMatchObject({ action: 'renewed', serial: serialOf(renewed), reloaded: false });
    expect(certbotCommands(engine)).toEqual(['renew']);
    expect(engine.servedSerial).toBe(serialOf(renewed));
    expect(engine.reloads).toBe(0);
  });

  it('renewal on an nginx that loads the certificate only at a reload: reloaded, and the new one served', async () => {
    const engine = new FakeEngine();
    const old = await certificate(70, 'old-reload');
    const renewed = await certificate(0, 'renewed-reload');
    engine.seed('widgets.eu', old, { deployed: true, served: true });
    engine.queued.push(renewed);
    engine.certificateLoading = 'reload';
    const { result } = await update(engine);
    expect(result).toMatchObject({ action: 'renewed', serial: serialOf(renewed), reloaded: true });
    expect(engine.servedSerial).toBe(serialOf(renewed));
    expect(engine.reloads).toBe(1);
  });

  it('not due: certbot is not run and nginx is not reloaded', async () => {
    const engine = new FakeEngine();
    const current = await certificate(10, 'current');
    engine.seed('widgets.eu', current, { deployed: true, served: true });
    const { result } = await update(engine);
    expect(result).toMatchObject({ action: 'unchanged', serial: serialOf(current), reloaded: false });
    expect(result.reasons[0]).toMatch(/^not due until /);
    expect(certbotCommands(engine)).toEqual([]);
    expect(engine.reloads).toBe(0);
  });

  it('not due on certbot 5, which decides by the rule certkit mirrors: no certbot process, the lineage read in one run', async () => {
    const engine = new FakeEngine('ck', '5.5.0');
    const current = await certificate(10, 'current-5');
    engine.seed('widgets.eu', current, { deployed: true, served: true });
    const { result } = await update(engine);
    expect(result).toMatchObject({ action: 'unchanged', serial: serialOf(current), reloaded: false });
    expect(result.reasons[0]).toMatch(/^certbot decides: not due until /);
    expect(certbotCommands(engine)).toEqual([]);
    // The store came in one run (the sweep's facts): no exec read the lineage's files one by one.
    expect(engine.certbotRuns.filter((argv) => argv[0] === 'cat' && /\/(live|renewal)\//.test(argv[1] ?? ''))).toEqual([]);
  });

  it('nginx -t fails: the error says nginx keeps the previous configuration, and the lock is released', async () => {
    const engine = new FakeEngine();
    engine.queued.push(await certificate(0, 'nginx-t'));
    engine.nginxConfigFails = true;
    await expect(update(engine)).rejects.toMatchObject({
      code: 'NGINX_CONFIG_INVALID',
      message: expect.stringContaining('keeps serving the previous one'),
    });
    expect(engine.reloads).toBe(0);
    expect(engine.certbot.files.has(LOCK_PATH)).toBe(false);
  });

  it('the served serial does not change after the reload: a timeout naming what nginx still serves', async () => {
    const engine = new FakeEngine();
    const old = await certificate(70, 'stuck-old');
    const renewed = await certificate(0, 'stuck-new');
    engine.seed('widgets.eu', old, { deployed: true, served: true });
    engine.queued.push(renewed);
    engine.certificateLoading = 'reload';
    engine.nginxIgnoresReload = true;
    const error = await update(engine).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: 'TIMEOUT' });
    expect((error as Error).message).toContain(`does not serve serial ${serialOf(renewed)}`);
    expect((error as Error).message).toContain(`widgets.eu=${serialOf(old)}`);
  });

  it('a lock held by a live run: refused after the wait, naming the holder and since when', async () => {
    const engine = new FakeEngine();
    engine.seed('widgets.eu', await certificate(10, 'locked'), { deployed: true, served: true });
    engine.seedLock('certkit daemon (pid 7 on box) since 2026-11-22T11:59:00.000Z', { alive: true });
    const error = await update(engine, { lockWaitMs: 10_000 }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: 'LOCK_HELD' });
    expect((error as Error).message).toContain('certkit daemon (pid 7 on box) since 2026-11-22T11:59:00.000Z');
    expect(engine.certbot.files.has(LOCK_PATH)).toBe(true);
  });

  it('a lock left by a dead run (killed with SIGKILL): removed at once, and the update proceeds', async () => {
    const engine = new FakeEngine();
    engine.seed('widgets.eu', await certificate(10, 'dead-lock'), { deployed: true, served: true });
    engine.seedLock('certkit update (pid 9 on box) since 2026-11-22T11:59:59.000Z', { alive: false });
    const { result, log } = await update(engine);
    expect(result.action).toBe('unchanged');
    expect(log).toContain(
      'warn: removing a certkit lock left by a run that no longer exists (certkit update (pid 9 on box) since 2026-11-22T11:59:59.000Z)',
    );
    expect(engine.certbot.files.has(LOCK_PATH)).toBe(false);
  });
});

describe('a rendering nginx does not run yet (issue 19)', { timeout: 30_000 }, () => {
  it('a setting certkit-init already rendered (nothing left for this run to render): nginx is reloaded and runs it', async () => {
    const engine = new FakeEngine();
    engine.seed('widgets.eu', await certificate(10, 'hsts'), { deployed: true, served: true });
    const { result, log } = await update(engine, { runningEnv: { NGINX_HSTS_MAX_AGE: '300' }, env: { NGINX_HSTS_MAX_AGE: '600' } });
    expect(result).toMatchObject({ action: 'unchanged', reloaded: true, rendered: [] });
    expect(engine.reloads).toBe(1);
    expect(log.find((line) => line.includes('not the rendered'))).toMatch(
      /nginx runs certkit-config [0-9a-f]{16}, not the rendered certkit-config/,
    );
  });

  it('a change nginx refused, fixed later: the fixed one is reloaded, though this run renders nothing new', async () => {
    const engine = new FakeEngine();
    engine.seed('widgets.eu', await certificate(10, 'refused'), { deployed: true, served: true });
    const projectDir = await mkdtemp(join(tmpdir(), 'certkit-update-'));
    engine.nginxConfigFails = true;
    await expect(update(engine, { projectDir, runningEnv: {}, env: { NGINX_HSTS_MAX_AGE: '1' } })).rejects.toMatchObject({
      code: 'NGINX_CONFIG_INVALID',
    });
    expect(engine.reloads).toBe(0);
    engine.nginxConfigFails = false;
    const { result } = await update(engine, { projectDir, runningEnv: undefined, env: { NGINX_HSTS_MAX_AGE: '600' } });
    expect(result.reloaded).toBe(true);
    expect(engine.reloads).toBe(1);
  });

  it("a reload nginx's master did not take: an error naming the stamp it runs and the rendered one", async () => {
    const engine = new FakeEngine();
    engine.seed('widgets.eu', await certificate(10, 'ignored'), { deployed: true, served: true });
    engine.nginxIgnoresReload = true;
    const error = await update(engine, { runningEnv: {}, env: { NGINX_HSTS_MAX_AGE: '600' } }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: 'NGINX_NOT_SERVING' });
    expect((error as Error).message).toMatch(
      /does not run the rendered configuration \(certkit-config [0-9a-f]{16}\).*last seen: certkit-config [0-9a-f]{16}/,
    );
  });

  it('nginx that serves no stamp (a rendering from before stamps) is reloaded once, then runs the stamped one', async () => {
    const engine = new FakeEngine();
    engine.seed('widgets.eu', await certificate(10, 'unstamped'), { deployed: true, served: true });
    const projectDir = await mkdtemp(join(tmpdir(), 'certkit-update-'));
    const first = await update(engine, { projectDir, unstamped: true });
    expect(first.result.reloaded).toBe(true);
    const second = await update(engine, { projectDir });
    expect(second.result.reloaded).toBe(false);
    expect(engine.reloads).toBe(1);
  });
});

describe('a run that waited for the lock', { timeout: 30_000 }, () => {
  it('reads the configuration again once it holds the lock, so a name added meanwhile is not dropped', async () => {
    const engine = new FakeEngine();
    engine.seed('widgets.eu', await certificate(10, 'waited'), { deployed: true, served: true });
    engine.seedLock('certkit update (pid 7 on box) since 2026-11-22T11:59:00.000Z', { alive: true });
    engine.queued.push(await certificate(0, 'expanded'));
    // The other run adds www.widgets.eu to .env and ends while this one waits.
    let env: Record<string, string> = { CERTKIT_PREFLIGHT: 'false' };
    const whileWaiting = () => {
      env = { ...env, CERTBOT_DOMAIN: 'widgets.eu,www.widgets.eu' };
      engine.certbot.processes.clear();
      engine.certbot.files.delete(LOCK_PATH);
    };
    const { result } = await update(engine, { lockWaitMs: 60_000, whileWaiting, reloadConfig: async () => makeConfig(env) });
    expect(result.action).toBe('reissued');
    expect(result.reasons).toEqual(['adds www.widgets.eu']);
    expect(engine.certbotRuns.find((argv) => argv[1] === 'certonly')).toEqual(expect.arrayContaining(['-d', 'www.widgets.eu', '--expand']));
  });
});

describe('certkit update through the CLI, engine injected', { timeout: 30_000 }, () => {
  it('a container that stopped mid-run is a certkit error with the fix, exit 1, no stack trace', async () => {
    const engine = new FakeEngine();
    const projectDir = await mkdtemp(join(tmpdir(), 'certkit-cli-'));
    onTestFinished(() => rm(projectDir, { recursive: true, force: true }));
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(projectDir, '.env'), 'CERTBOT_DOMAIN=widgets.eu\nCOMPOSE_PROJECT_NAME=ck\nCERTKIT_PREFLIGHT=false\n');
    engine.queued.push(await certificate(0, 'cli'));
    // certbot's container stops as certbot starts: every later call into it fails as the real engine's would.
    const exec = engine.exec.bind(engine);
    engine.exec = async (id, argv, options) => {
      if (argv[0] === 'certbot' && argv[1] !== '--version') {
        engine.certbot.running = false;
        engine.certbot.state = 'exited';
      }
      return exec(id, argv, options);
    };
    const stderr: string[] = [];
    const code = await run(['update', '-C', projectDir], {
      env: {},
      cwd: projectDir,
      createEngine: () => engine,
      now: () => START,
      sleep: async () => {},
      stdout: () => {},
      stderr: (text) => stderr.push(text),
    });
    expect(code).toBe(1);
    expect(stderr.join('')).toMatch(/^certkit: the certbot container \(ck-certbot-1\) stopped while certkit was running/m);
    expect(stderr.join('')).not.toMatch(/unexpected error|\n\s+at /);
  });
});

describe('certkit status as a health check, engine injected', { timeout: 30_000 }, () => {
  it('exits 1 and says so when the certbot container is down', async () => {
    const engine = new FakeEngine();
    engine.certbot.running = false;
    engine.certbot.state = 'exited';
    const projectDir = await mkdtemp(join(tmpdir(), 'certkit-status-'));
    onTestFinished(() => rm(projectDir, { recursive: true, force: true }));
    const stderr: string[] = [];
    const stdout: string[] = [];
    const status = () =>
      run(['status', '-C', projectDir, '-p', 'ck', '--json'], {
        env: {},
        cwd: projectDir,
        createEngine: () => engine,
        now: () => START,
        stdout: (text) => stdout.push(text),
        stderr: (text) => stderr.push(text),
      });
    expect(await status()).toBe(1);
    expect(stdout.join('')).toBe('[]\n');
    expect(stderr.join('')).toContain('the certbot container (ck-certbot-1) is exited: nothing can renew these certificates');
    engine.certbot.running = true;
    expect(await status()).toBe(0);
  });
});

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCommand } from './support/docker-cli.js';
import { REPO, TestStack } from './support/stack.js';
import { probeCertificate } from './support/tls.js';
import { waitUntil } from './support/wait.js';

const dockerMissing = inject('dockerMissing');

/** Lists the command lines of the processes in the certbot container (its image has no pgrep). */
const PROCESSES = 'for p in /proc/[0-9]*; do tr "\\0" " " < "$p/cmdline" 2>/dev/null; echo; done';

// Faults at the Docker boundary, as a user meets them: the certbot container killed in the middle of an update, and an
// update killed with SIGKILL. Each must end with a clear certkit message, and the certificate still served.
describe.skipIf(dockerMissing !== '')('faults: certbot killed mid-run, certkit killed with SIGKILL', () => {
  let stack: TestStack;
  const servedSerial = async (): Promise<string> => (await probeCertificate(stack.httpsPort, stack.names[0] as string)).serial;
  const certbotRunning = async (): Promise<true | undefined> => {
    const listed = await stack.exec('certbot', ['sh', '-c', PROCESSES]);
    return /(^|\/)certbot (renew|certonly) /m.test(listed.stdout) ? true : undefined;
  };

  beforeAll(async () => {
    stack = await TestStack.create();
    await stack.up();
    await waitUntil('nginx to serve HTTPS', async () => servedSerial().catch(() => undefined), { timeoutMs: 90_000, intervalMs: 1_000 });
  });
  afterAll(async () => {
    if (stack) await stack.destroy();
  });

  it('docker kill of certbot mid-update: a certkit error with the cause and the fix, exit 1; status fails; after docker start an update succeeds', async () => {
    const before = await servedSerial();
    const certbotId = await stack.containerId('certbot');
    const update = stack.certkit(['update', '--force']);
    await waitUntil('certbot to run in its container', certbotRunning, { timeoutMs: 60_000, intervalMs: 100 });
    expect((await runCommand('docker', ['kill', certbotId])).code).toBe(0);
    const result = await update;
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/certkit: the certbot container \(\S+\) stopped while certkit was running/);
    expect(result.stderr).toMatch(/start it with `docker compose --profile certbot up -d certbot` \(or `docker start \S+`\) and rerun/);
    expect(result.stderr).not.toMatch(/unexpected error|HTTP code|\n\s+at /);

    const status = await stack.certkit(['status']);
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(/the certbot container \(\S+\) is exited: nothing can renew these certificates/);
    expect(await servedSerial()).toBe(before);

    expect((await runCommand('docker', ['start', certbotId])).code).toBe(0);
    const after = await stack.certkit(['update', '--json']);
    expect(after.code, after.stderr).toBe(0);
    const json = JSON.parse(after.stdout) as { serial: string };
    expect(await servedSerial()).toBe(json.serial);
  });

  it('an update killed with SIGKILL leaves no lock behind: the next update proceeds at once', async () => {
    const child = spawn(process.execPath, [join(REPO, 'bin/certkit.js'), '--project-name', stack.project, 'update', '--force'], {
      cwd: stack.dir,
      env: { ...process.env, CI: '' },
      stdio: 'ignore',
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await waitUntil('the update to hold the lock and run certbot', certbotRunning, { timeoutMs: 60_000, intervalMs: 100 });
    child.kill('SIGKILL');
    await exited;
    // certbot itself goes on in its container (certkit only started it). certkit's lock is gone at once; certbot >= 4
    // decides renewal itself, so the next update runs `certbot renew`, which may meet the orphaned certbot's own lock
    // and must then say so (not blame certkit's lock). Once the orphan ends, an update succeeds.
    const next = await stack.certkit(['update', '--wait', '0']);
    expect(next.stderr).not.toMatch(/holds the lock|waiting for another certkit run/);
    if (next.code !== 0) expect(next.stderr).toMatch(/certbot is already running in the certbot container/);
    await waitUntil('the orphaned certbot run to finish', async () => ((await certbotRunning()) ? undefined : true), {
      timeoutMs: 120_000,
      intervalMs: 500,
    });
    const after = await stack.certkit(['update', '--wait', '0']);
    expect(after.code, after.stderr).toBe(0);
  });
});

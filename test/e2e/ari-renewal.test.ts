import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { letsEncryptProfiles, setRenewalWindow, stackKind, writePebbleProfiles } from './support/acme-features.js';
import { probeCertificate, type PresentedCertificate } from './support/tls.js';
import { TestStack } from './support/stack.js';
import { waitUntil } from './support/wait.js';

const dockerMissing = inject('dockerMissing');
const ARI_CACHE = '/tmp/certkit-ari.json';

const checkLines = (logs: string, name: string, action: string) =>
  logs.split('\n').filter((line) => line.includes(`check done: ${name} ${action}`));

// ACME Renewal Information: the CA can move a certificate's renewal window forward (an incident, a revocation ahead).
// The daemon renews as soon as the window opens and says why; without that signal a 90-day certificate is left alone
// until certbot's own threshold, however often the daemon checks.
describe.skipIf(dockerMissing !== '' || stackKind() !== 'current')('ARI: the CA moves the renewal window (current stack)', () => {
  let stack: TestStack;
  let first: PresentedCertificate;

  beforeAll(async () => {
    stack = await TestStack.create({ names: 1, env: { CERTBOT_PROFILE: 'classic', CERTKIT_CHECK_INTERVAL: '3s' } });
    await writePebbleProfiles(stack, letsEncryptProfiles());
    await stack.up();
  });
  afterAll(async () => {
    if (stack) await stack.destroy();
  });

  const daemonLogs = async () => (await stack.compose(['logs', '--no-color', 'certkit'])).stdout;

  it('without a signal, the daemon checks again and again and does not renew', async () => {
    const name = stack.names[0] as string;
    first = await waitUntil(
      'the first certificate to be served',
      async () => probeCertificate(stack.httpsPort, name).catch(() => undefined),
      { timeoutMs: 90_000, intervalMs: 1_000 },
    );
    const unchanged = await waitUntil(
      'three checks after issuance',
      async () => {
        const lines = checkLines(await daemonLogs(), name, 'unchanged');
        return lines.length >= 3 ? lines : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    expect((await probeCertificate(stack.httpsPort, name)).serial).toBe(first.serial);
    // certbot 5 decides at its own threshold; certkit shows the CA's (default) window beside it.
    expect(unchanged[0]).toMatch(/certbot decides: not due until .*; the CA's renewal window \(ARI\) runs /);
    // The CA's answer is kept until its Retry-After (Pebble: 6 hours), not asked for again at every check.
    const cache = JSON.parse((await stack.exec('certbot', ['cat', ARI_CACHE])).stdout) as Record<
      string,
      { serial: string; nextAt: string }
    >;
    expect(cache[name]?.serial.toLowerCase()).toBe(first.serial.toLowerCase());
    expect(Date.parse(cache[name]?.nextAt ?? '') - Date.now()).toBeGreaterThan(5 * 3_600_000);
  });

  it('once the CA moves the window into the past, the next check renews and says the CA asked', async () => {
    const name = stack.names[0] as string;
    const now = Date.now();
    await setRenewalWindow(stack, first.leaf.toString(), new Date(now - 3_600_000), new Date(now - 1_800_000));
    // A client sees a moved window at its next poll, once the answer's Retry-After has passed: the test lets it pass
    // by removing the kept answer (as a recreated certbot container would).
    expect((await stack.exec('certbot', ['rm', '-f', ARI_CACHE])).code).toBe(0);
    const renewed = await waitUntil(
      'the daemon to renew early and nginx to serve the new certificate',
      async () => {
        const presented = await probeCertificate(stack.httpsPort, name).catch(() => undefined);
        return presented && presented.serial !== first.serial ? presented : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1_000 },
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\n--- certkit logs ---\n${(await daemonLogs()).split('\n').slice(-40).join('\n')}`);
    });
    expect(renewed.notAfter.getTime()).toBeGreaterThan(first.notAfter.getTime());
    // nginx picks a renewal up without a reload, so the new serial can be served before the daemon logs its check.
    const logs = await waitUntil(
      'the daemon to log the renewal',
      async () => {
        const text = await daemonLogs();
        return checkLines(text, name, 'renewed').length > 0 ? text : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 1_000 },
    );
    expect(checkLines(logs, name, 'renewed').join('\n')).toMatch(
      /the CA asked for renewal \(ARI\): its renewal window for this certificate runs /,
    );
    // The new certificate has the CA's ordinary window again: the next check leaves it alone (no renewal loop).
    const unchangedBefore = checkLines(logs, name, 'unchanged').length;
    await waitUntil(
      'one more check after the renewal',
      async () => (checkLines(await daemonLogs(), name, 'unchanged').length > unchangedBefore ? true : undefined),
      { timeoutMs: 30_000, intervalMs: 1_000 },
    );
    expect((await probeCertificate(stack.httpsPort, name)).serial).toBe(renewed.serial);
  });
});

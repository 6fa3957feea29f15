import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { probeCertificate } from './support/tls.js';
import { TestStack } from './support/stack.js';
import { waitUntil } from './support/wait.js';

const dockerMissing = inject('dockerMissing');

// The certkit container keeps the certificate valid on its own: with 30-second certificates and a 3-second check
// interval it renews as soon as half the lifetime has passed, and nginx serves each new certificate.
describe.skipIf(dockerMissing !== '')('scheduled renewal by the certkit container', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.create({ env: { CERTKIT_CHECK_INTERVAL: '3s' }, pebbleValiditySeconds: 30 });
    await stack.up();
  });
  afterAll(async () => {
    if (stack) await stack.destroy();
  });

  it('renews without anyone running certkit, and nginx serves the new certificate', async () => {
    const name = stack.names[0] as string;
    const first = await waitUntil(
      'the first certificate to be served',
      async () => probeCertificate(stack.httpsPort, name).catch(() => undefined),
      { timeoutMs: 90_000, intervalMs: 1_000 },
    );
    const renewed = await waitUntil(
      'the daemon to renew and nginx to serve a new serial',
      async () => {
        const now = await probeCertificate(stack.httpsPort, name).catch(() => undefined);
        return now && now.serial !== first.serial ? now : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 1_000 },
    ).catch(async (error: Error) => {
      throw new Error(
        `${error.message}\n--- certkit logs ---\n${(await stack.compose(['logs', '--no-color', '--tail', '60', 'certkit'])).stdout}`,
      );
    });
    expect(renewed.notAfter.getTime()).toBeGreaterThan(first.notAfter.getTime());
    // nginx picks a renewal up without a reload, so it may serve the new serial before the daemon has logged its check.
    const logs = await waitUntil(
      'the daemon to log the renewal',
      async () => {
        const text = (await stack.compose(['logs', '--no-color', 'certkit'])).stdout;
        return /check done: .* renewed/.test(text) ? text : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 1_000 },
    );
    expect(logs).toMatch(/next check at/);
  });
});

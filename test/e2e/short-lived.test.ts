import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { letsEncryptProfiles, stackKind, writePebbleProfiles } from './support/acme-features.js';
import { probeCertificate } from './support/tls.js';
import { TestStack } from './support/stack.js';
import { waitUntil } from './support/wait.js';

const dockerMissing = inject('dockerMissing');

/** Pebble's shortlived profile made shorter still: a 90-second certificate stands in for Let's Encrypt's 160 hours. */
const LIFETIME_S = 90;

// The daemon keeps a short-lived certificate valid on its own, renewing it several times, each time well before it
// expires, and without renewing at every check (which would run into the CA's duplicate-certificate limit).
describe.skipIf(dockerMissing !== '' || stackKind() !== 'current')(
  'a short-lived certificate kept valid by the daemon (current stack)',
  () => {
    let stack: TestStack;

    beforeAll(async () => {
      stack = await TestStack.create({ names: 1, env: { CERTBOT_PROFILE: 'shortlived', CERTKIT_CHECK_INTERVAL: '4s' } });
      await writePebbleProfiles(stack, letsEncryptProfiles({ shortlived: LIFETIME_S }));
      await stack.up();
    });
    afterAll(async () => {
      if (stack) await stack.destroy();
    });

    it('serves a valid certificate at every probe across three renewals', async () => {
      const name = stack.names[0] as string;
      const serials: string[] = [];
      const deadline = Date.now() + 60_000 + 3.5 * (LIFETIME_S / 2) * 1000;
      let expiredAt: string | undefined;
      while (serials.length < 4 && Date.now() < deadline) {
        const presented = await probeCertificate(stack.httpsPort, name).catch(() => undefined);
        if (presented) {
          expect(Math.round((presented.notAfter.getTime() - new Date(presented.leaf.validFrom).getTime()) / 1000)).toBeLessThanOrEqual(
            LIFETIME_S + 1,
          );
          if (presented.notAfter.getTime() <= Date.now()) expiredAt ??= new Date().toISOString();
          if (serials[serials.length - 1] !== presented.serial) serials.push(presented.serial);
        } else if (serials.length > 0) {
          expiredAt ??= `${new Date().toISOString()} (no certificate served)`;
        }
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
      const readChecks = async () => {
        const logs = (await stack.compose(['logs', '--no-color', 'certkit'])).stdout;
        const checks = logs.split('\n').filter((line) => line.includes(`check done: ${name} `));
        return { checks, renewals: checks.filter((line) => line.includes(`check done: ${name} renewed`)) };
      };
      // nginx picks a renewal up without a reload, so the last new serial can be served before its check is logged.
      const { checks, renewals } = await waitUntil(
        'the daemon to log three renewals',
        async () => {
          const read = await readChecks();
          return read.renewals.length >= 3 ? read : undefined;
        },
        { timeoutMs: 15_000, intervalMs: 1_000 },
      ).catch(() => readChecks());
      expect(serials.length, `serials seen: ${serials.join(', ')}\n${checks.slice(-20).join('\n')}`).toBe(4);
      expect(expiredAt, 'nginx served an expired certificate').toBeUndefined();
      expect(renewals.length).toBeGreaterThanOrEqual(3);
      // Most checks find nothing to do: renewal happens once per certificate, not at every check.
      expect(checks.length - renewals.length).toBeGreaterThan(renewals.length);
    });
  },
);

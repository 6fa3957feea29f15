import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TestStack } from './support/stack.js';
import { runCommand } from './support/docker-cli.js';

const dockerMissing = inject('dockerMissing');

// Bad configuration is refused before any container is touched, with the variable named; the compose stack's init
// step refuses it too, so nginx and certbot are not started on a broken configuration.
describe.skipIf(dockerMissing !== '')('bad configuration', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.create();
  });
  afterAll(async () => {
    if (stack) await stack.destroy();
  });

  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ['an empty domain', { CERTBOT_DOMAIN: '' }, /CERTBOT_DOMAIN: "" is empty/],
    [
      'a malformed domain',
      { CERTBOT_DOMAIN: 'exa mple.com' },
      /CERTBOT_DOMAIN: "exa mple.com" is not valid: "exa mple.com" is not a hostname/,
    ],
    ['a bad email', { CERTBOT_EMAIL: 'not-an-email' }, /CERTBOT_EMAIL: "not-an-email" is not an email address/],
    [
      'a shell metacharacter in CERTBOT_OPTIONS',
      { CERTBOT_OPTIONS: '--preferred-chain x; rm -rf /' },
      /CERTBOT_OPTIONS: .* contains the shell character ";"/,
    ],
    // Settings only the daemon uses: refused by every command, not at the daemon's next start (issue 19).
    [
      'an ftp:// alert webhook',
      { CERTKIT_ALERT_WEBHOOK: 'ftp://hooks.internal.test/T0KEN' },
      /CERTKIT_ALERT_WEBHOOK: URL number 1 is a ftp: URL; alerts are sent as HTTP POSTs/,
    ],
    ['a metrics port of 0', { CERTKIT_METRICS_PORT: '0' }, /CERTKIT_METRICS_PORT: "0" is not a port between 1 and 65535/],
    ['a health grace over a day', { CERTKIT_HEALTH_GRACE: '2d' }, /CERTKIT_HEALTH_GRACE: "2d" is not a duration between 1s and 1d/],
    ['a malformed punycode name', { CERTBOT_DOMAIN: 'xn--zz.internal.test' }, /"xn--zz" starts with xn-- but is not valid punycode/],
    [
      'a misspelt DNS plugin',
      { CERTBOT_CHALLENGE: 'dns', CERTBOT_DNS_PLUGIN: 'rfc2163' },
      /CERTBOT_DNS_PLUGIN: "rfc2163" is not a certbot DNS plugin; did you mean rfc2136\? Set CERTBOT_DNS_PLUGIN=rfc2136 and CERTBOT_IMAGE=certbot\/dns-rfc2136:/,
    ],
  ];

  for (const [what, values, message] of cases) {
    it(`certkit update and render exit 2 on ${what}, naming the variable, without contacting Docker`, async () => {
      await stack.writeEnv(values);
      // An unreachable engine: had certkit gone to Docker, it would fail with exit 1, not 2.
      for (const command of ['update', 'render']) {
        const result = await stack.certkit([command], { DOCKER_HOST: 'unix:///nonexistent/certkit-test.sock' });
        expect(result.code, command).toBe(2);
        expect(result.stderr).toMatch(message);
        expect(result.stderr).toMatch(/\.env line \d+/);
        expect(result.stderr).not.toContain('T0KEN');
      }
    });
  }

  it('docker compose up stops at certkit-init: no nginx or certbot container is started', async () => {
    await stack.writeEnv({ CERTBOT_DOMAIN: 'exa mple.com' });
    const up = await stack.compose(['up', '-d']);
    expect(up.code).not.toBe(0);
    const init = await stack.compose(['logs', '--no-color', 'certkit-init']);
    expect(init.stdout).toMatch(/CERTBOT_DOMAIN/);
    // Only the local CA's two containers, which do not depend on the configuration, may be up.
    const running = await runCommand('docker', [
      'ps',
      '--format',
      '{{.Label "com.docker.compose.service"}}',
      '--filter',
      `label=com.docker.compose.project=${stack.project}`,
    ]);
    expect(running.stdout.split('\n').filter(Boolean).sort()).toEqual(['pebble', 'pebble-challtestsrv']);
  });
});

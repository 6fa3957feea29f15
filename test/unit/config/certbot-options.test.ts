import { describe, expect, it } from 'vitest';
import { splitCertbotOptions } from '../../../src/config/certbot-options.js';

describe('splitCertbotOptions', () => {
  it('gives no words for an empty value', () => {
    expect(splitCertbotOptions('')).toEqual({ ok: true, words: [] });
  });

  it('splits on whitespace and keeps quoted values whole, without the quotes', () => {
    expect(splitCertbotOptions(`--preferred-chain "ISRG Root X1" --user-agent-comment 'my kit' -v`)).toEqual({
      ok: true,
      words: ['--preferred-chain', 'ISRG Root X1', '--user-agent-comment', 'my kit', '-v'],
    });
  });

  it('lets values that are not flags through, even when they look like refused flag names', () => {
    expect(splitCertbotOptions('--preferred-chain standalone')).toEqual({ ok: true, words: ['--preferred-chain', 'standalone'] });
  });

  it.each([';', '&', '|', '<', '>', '`', '$', '(', ')', '{', '}', '\n', '\r', '\\', '*', '?', '[', ']', '~', '!', '#'])(
    'refuses the shell character %j',
    (character) => {
      const result = splitCertbotOptions(`--quiet ${character}x`);
      expect(result).toEqual({
        ok: false,
        problem: `contains the shell character ${JSON.stringify(character)}; certbot flags never need one (remove it, or quote a value with plain quotes)`,
      });
    },
  );

  it.each([
    '--webroot-path=/srv',
    '--email=a@example.com',
    '--renew-hook=/x.sh',
    '--duplicate',
    '--expand',
    '--force-interactive',
    '--config-dir=/tmp',
    '-i nginx',
  ])('refuses %j', (raw) => {
    const result = splitCertbotOptions(raw);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toMatch(/^sets -{1,2}[a-z-]+, which certkit refuses: /);
  });

  it('refuses every --dns-* plugin flag', () => {
    expect(splitCertbotOptions('--dns-route53')).toEqual({
      ok: false,
      problem:
        'sets --dns-route53: the DNS plugin and its settings come from CERTBOT_CHALLENGE=dns, CERTBOT_DNS_PLUGIN, CERTBOT_DNS_CREDENTIALS and CERTBOT_DNS_PROPAGATION_SECONDS',
    });
  });
});

describe('splitCertbotOptions reads flags as certbot does', () => {
  it.each([
    ['--must-sta', '--must-staple'],
    ['--standal', '--standalone'],
    ['--serv', '--server'],
    ['--cert-nam=x', '--cert-name'],
    ['--config-d /tmp', '--config-dir'],
    ['--webroot-pat /srv', '--webroot-path'],
    ['--csr', '--csr'],
    ['--cs /x.pem', '--csr'],
    ['--preferred-chal http-01', '--preferred-challenges'],
    ['--no-autor', '--no-autorenew'],
  ])('refuses the abbreviation %j as %s', (raw, flag) => {
    const result = splitCertbotOptions(raw);
    expect(result.ok).toBe(false);
    const problem = !result.ok ? result.problem : '';
    expect(problem).toContain(flag);
    expect(problem).toMatch(/which certkit refuses: .{20,}/);
  });

  it('names the flag an abbreviation stands for', () => {
    expect(splitCertbotOptions('--must-sta')).toEqual({
      ok: false,
      problem: expect.stringContaining('sets --must-sta (certbot reads it as --must-staple), which certkit refuses'),
    });
  });

  it.each([
    ['--frobnicate', undefined],
    ['--preferred-chian x', '--preferred-chain'],
    ['--agre-toss', '--agree-tos'],
    ['-z', undefined],
    ['-vz', undefined],
  ])('refuses the unknown flag %j, suggesting %s', (raw, guess) => {
    const result = splitCertbotOptions(raw);
    expect(result.ok).toBe(false);
    const problem = !result.ok ? result.problem : '';
    expect(problem).toMatch(/which certbot does not know/);
    if (guess) expect(problem).toContain(`did you mean ${guess}?`);
  });

  it('refuses an ambiguous prefix, listing what it could be', () => {
    const result = splitCertbotOptions('--no-');
    expect(!result.ok && result.problem).toMatch(/^sets --no-, which certbot cannot tell apart \(it could be --no-/);
  });

  it.each([`--preferred-chain "ISRG Root X1`, `--user-agent-comment 'x`, `--preferred-chain "a" 'b`])(
    'refuses the unbalanced quote in %j',
    (raw) => {
      const result = splitCertbotOptions(raw);
      expect(!result.ok && result.problem).toMatch(/^has an unclosed ["'] quote at position \d+; close it/);
    },
  );

  it.each(['renew', '--quiet revoke', '--preferred-chain a b'])('refuses the stray word in %j', (raw) => {
    const result = splitCertbotOptions(raw);
    expect(!result.ok && result.problem).toMatch(/which is no flag nor a flag's value/);
  });

  it('refuses a flag that takes a value at the end without one, and a value given to a plain flag', () => {
    expect(splitCertbotOptions('--preferred-chain')).toEqual({
      ok: false,
      problem: 'ends with --preferred-chain, which needs a value after it',
    });
    expect(splitCertbotOptions('--agree-tos=yes')).toEqual({
      ok: false,
      problem: 'sets --agree-tos with a value, but it takes none; remove "=yes"',
    });
  });

  it.each([
    '--preferred-chain "ISRG Root X1" --issuance-timeout 120',
    '--preferred-chai=x',
    '-v -q --no-eff-email',
    '-vv',
    '--eab-kid k --eab-hmac-key h',
    '--reuse-key',
    '--new-key',
  ])('accepts %j', (raw) => {
    expect(splitCertbotOptions(raw).ok).toBe(true);
  });
});

describe('splitCertbotOptions refuses what would break the kit, with the reason', () => {
  it.each([
    ['--csr /tmp/req.der', 'certkit has certbot make the key'],
    ['--cert-path /tmp/c.pem', 'files written elsewhere are never served'],
    ['--fullchain-path=/tmp/f.pem', 'files written elsewhere are never served'],
    ['--preferred-challenges dns', 'certkit answers HTTP-01 challenges through nginx only'],
    ['--config /etc/x.ini', 'a certbot config file could set what certkit sets'],
    ['-c /etc/x.ini', 'a certbot config file could set what certkit sets'],
    ['--help', 'certbot would print and exit'],
    ['-h', 'certbot would print and exit'],
    ['--version', 'certbot would print and exit'],
    ['--redirect', 'certkit renders nginx itself'],
    ['--hsts', 'certkit renders nginx itself'],
    ['--debug-challenges', 'nothing can answer a prompt'],
    ['--no-autorenew', 'skips a certificate saved with autorenew off'],
    ['--ip-address 192.0.2.1', 'IP addresses go in CERTBOT_DOMAIN'],
    ['--webroot-map {}', 'shell character'],
    ['--manual-auth-hook /x.sh', 'another authenticator or installer would bypass it'],
  ])('%j', (raw, reason) => {
    const result = splitCertbotOptions(raw);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toContain(reason);
  });
});

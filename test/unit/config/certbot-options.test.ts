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

  it.each([';', '&', '|', '<', '>', '`', '$', '(', ')', '{', '}', '\n', '\r', '\\', '*', '?', '[', ']', '~', '!', '#'])('refuses the shell character %j', (character) => {
    const result = splitCertbotOptions(`--quiet ${character}x`);
    expect(result).toEqual({ ok: false, problem: `contains the shell character ${JSON.stringify(character)}; certbot flags never need one (remove it, or quote a value with plain quotes)` });
  });

  it.each(['--webroot-path=/srv', '--email=a@example.com', '--renew-hook=/x.sh', '--duplicate', '--expand', '--force-interactive', '--config-dir=/tmp', '-i nginx'])('refuses %j', (raw) => {
    const result = splitCertbotOptions(raw);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toMatch(/^sets -{1,2}[a-z-]+, which certkit refuses: /);
  });

  it('refuses every --dns-* plugin flag', () => {
    expect(splitCertbotOptions('--dns-route53')).toEqual({ ok: false, problem: 'sets --dns-route53: DNS-01 plugins are not supported yet; certkit validates over HTTP-01 through nginx' });
  });
});

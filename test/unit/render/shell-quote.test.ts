import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellQuote, shellQuoteAll } from '../../../src/render/shell-quote.js';

/** What /bin/sh makes of a script: each argument `printf` receives, NUL-terminated, split back into words. */
function wordsAfterShell(script: string): string[] {
  const output = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${script}`], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: '/nonexistent' },
  });
  return output.split('\0').slice(0, -1);
}

const HOSTILE = [
  '',
  ' ',
  'two words',
  "it's",
  "''",
  '$HOME',
  '${HOME}',
  '$(id)',
  '`id`',
  '"double"',
  'back\\slash',
  'semi;colon',
  'a|b&&c',
  'glob*?[a]',
  '~root',
  '#comment',
  'line\nbreak',
  'tab\there',
  '-n',
  'ISRG Root X1',
  'ünïcödé',
];

describe('shellQuote', () => {
  it.each(HOSTILE)('comes back from /bin/sh unchanged: %j', (value) => {
    expect(wordsAfterShell(shellQuote(value))).toEqual([value]);
  });

  it('quotes the empty string as an empty word, not nothing', () => {
    expect(shellQuote('')).toBe("''");
  });

  it('leaves plain words (flags, paths, URLs, emails) unquoted for readable scripts', () => {
    for (const word of ['--cert-name', '/var/www/certbot', 'https://pebble:14000/dir', 'admin@example.com', 'a=b,c']) {
      expect(shellQuote(word)).toBe(word);
    }
  });

  it('wraps anything else in single quotes, closing and escaping embedded ones', () => {
    expect(shellQuote('two words')).toBe("'two words'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });
});

describe('shellQuoteAll', () => {
  it('gives a word list that /bin/sh splits back into exactly the same words', () => {
    expect(wordsAfterShell(shellQuoteAll(HOSTILE))).toEqual(HOSTILE);
  });

  it('gives nothing for no words', () => {
    expect(shellQuoteAll([])).toBe('');
  });
});

import { describe, expect, it } from 'vitest';
import { hostnameProblem, splitNames } from '../../../src/config/hostnames.js';

describe('hostnameProblem', () => {
  it.each(['example.com', 'www.example.com', 'a-b.example.co.uk', 'xn--bcher-kva.example', '1.example.com'])('accepts %j', (name) => {
    expect(hostnameProblem(name)).toBeUndefined();
  });

  it.each([
    ['', 'is empty'],
    ['*.example.com', 'is a wildcard'],
    ['bücher.example', 'has non-ASCII letters'],
    ['999.0.0.1', 'looks like an IP address but is not a valid'],
    ['fd00:::1', 'looks like an IP address but is not a valid'],
    ['[::1]', 'is an IP address in brackets'],
    ['example', 'is a single label, not a fully qualified name'],
    ['exa_mple.com', 'is not a hostname'],
    ['example-.com', 'is not a hostname'],
    ['example..com', 'is not a hostname'],
    ['xn--zz.example.org', 'is not a hostname: its label "xn--zz" starts with xn-- but is not valid punycode'],
    ['xn--bcher-kv.example', 'is not a hostname: its label "xn--bcher-kv" starts with xn-- but is not valid punycode'],
    ['shop.xn--abc-.example', 'is not a hostname: its label "xn--abc-" ends with a hyphen'],
    ['xn--.example', 'is not a hostname'],
    [`${'a'.repeat(250)}.com`, 'is 254 characters long, over the 253'],
  ])('refuses %j: %s', (name, problem) => {
    expect(hostnameProblem(name)).toMatch(new RegExp(`^${problem.replace(/[*.]/g, '\\$&')}`));
  });
});

describe('splitNames', () => {
  it('splits on commas and whitespace, lowercases, drops trailing dots and duplicates, keeps order', () => {
    expect(splitNames(' B.example.com,a.example.com\tb.example.com.\nA.EXAMPLE.COM ,, ')).toEqual(['b.example.com', 'a.example.com']);
  });

  it('gives no names for a blank value', () => {
    expect(splitNames(' , ')).toEqual([]);
  });
});

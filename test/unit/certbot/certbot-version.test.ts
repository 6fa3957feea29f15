import { describe, expect, it } from 'vitest';
import { formatVersion, MIN_CERTBOT, parseCertbotVersion, versionAtLeast } from '../../../src/certbot/certbot-version.js';

describe('parseCertbotVersion', () => {
  it.each([
    ['certbot 2.1.0', [2, 1, 0]],
    ['certbot 5.1.0.dev0\n', [5, 1, 0]],
    ['certbot 4.0', [4, 0, 0]],
    ['Saving debug log to /var/log/letsencrypt/letsencrypt.log\ncertbot 3.3.0', [3, 3, 0]],
  ])('reads %j', (output, version) => {
    expect(parseCertbotVersion(output)).toEqual(version);
  });

  it.each(['', 'sh: certbot: not found', 'certbot', 'certbot version unknown'])('returns undefined for %j', (output) => {
    expect(parseCertbotVersion(output)).toBeUndefined();
  });
});

describe('versionAtLeast', () => {
  it.each([
    [[4, 0, 0], 4, 0, true],
    [[4, 1, 0], 4, 0, true],
    [[5, 0, 0], 4, 1, true],
    [[3, 9, 9], 4, 0, false],
    [[4, 0, 5], 4, 1, false],
  ] as const)('%j >= %d.%d is %s', (version, major, minor, expected) => {
    expect(versionAtLeast(version, major, minor)).toBe(expected);
  });

  it('compares the major version alone when no minor is given', () => {
    expect(versionAtLeast([2, 0, 0], 2)).toBe(true);
    expect(versionAtLeast([1, 32, 0], 2)).toBe(false);
  });
});

describe('formatVersion and MIN_CERTBOT', () => {
  it('writes a version back as dotted text', () => {
    expect(formatVersion([2, 1, 0])).toBe('2.1.0');
  });

  it("accepts Debian's certbot 2.1", () => {
    expect(versionAtLeast([2, 1, 0], MIN_CERTBOT[0], MIN_CERTBOT[1])).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { isIP } from 'node:net';
import { canonicalIp, hostForUrl, ipFamily } from '../../../src/config/ip-address.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { isCertkitError, type CertkitError } from '../../../src/errors.js';

function loadError(env: Record<string, string>): CertkitError {
  try {
    loadConfig({ env });
  } catch (error) {
    if (isCertkitError(error, 'CONFIG_INVALID')) return error;
    throw error;
  }
  throw new Error('loadConfig accepted an invalid configuration');
}

describe('CERTBOT_PROFILE', () => {
  it('is empty by default: the CA chooses', () => {
    expect(loadConfig({ env: { CERTBOT_DOMAIN: 'widgets.eu' } }).profile).toBeUndefined();
  });

  it.each(['classic', 'tlsserver', 'shortlived', 'my-ca.profile_2'])('accepts %j', (profile) => {
    expect(loadConfig({ env: { CERTBOT_DOMAIN: 'widgets.eu', CERTBOT_PROFILE: profile } }).profile).toBe(profile);
  });

  it.each(['short lived', '-shortlived', 'a;b', 'x'.repeat(65)])('refuses %j, naming the variable and the fix', (profile) => {
    expect(loadError({ CERTBOT_DOMAIN: 'widgets.eu', CERTBOT_PROFILE: profile }).details).toEqual([
      `CERTBOT_PROFILE: ${JSON.stringify(profile)} is not an ACME profile name: use one your CA lists, e.g. classic, tlsserver or shortlived (empty: the CA's default) (from the environment)`,
    ]);
  });

  it('refuses the profile flags in CERTBOT_OPTIONS, pointing at CERTBOT_PROFILE', () => {
    for (const flag of ['--preferred-profile', '--required-profile']) {
      expect(loadError({ CERTBOT_DOMAIN: 'widgets.eu', CERTBOT_OPTIONS: `${flag} shortlived` }).details[0]).toContain(
        `sets ${flag}, which certkit refuses: the ACME profile comes from CERTBOT_PROFILE`,
      );
    }
  });
});

describe('IP addresses in CERTBOT_DOMAIN', () => {
  it('accepts IPv4 and IPv6 beside names, in canonical form, and defaults the profile to shortlived', () => {
    const config = loadConfig({ env: { CERTBOT_DOMAIN: '192.0.2.10,FD00:0:0::5,[2001:db8::1],widgets.eu' } });
    expect(config.domains).toEqual(['192.0.2.10', 'fd00::5', '2001:db8::1', 'widgets.eu']);
    expect(config.profile).toBe('shortlived');
    expect(config.certName).toBe('192.0.2.10');
    expect(config.nginx.serverNames).toEqual(['192.0.2.10', '[fd00::5]', '[2001:db8::1]', 'widgets.eu']);
  });

  it('names an IPv6-first certificate without colons', () => {
    expect(loadConfig({ env: { CERTBOT_DOMAIN: '2001:db8::1' } }).certName).toBe('2001-db8--1');
  });

  it('keeps an explicit shortlived profile', () => {
    expect(loadConfig({ env: { CERTBOT_DOMAIN: '192.0.2.10', CERTBOT_PROFILE: 'shortlived' } }).profile).toBe('shortlived');
  });

  it('refuses another profile, saying why and what to set', () => {
    expect(loadError({ CERTBOT_DOMAIN: 'widgets.eu,192.0.2.10', CERTBOT_PROFILE: 'classic' }).details).toEqual([
      `CERTBOT_PROFILE: "classic" cannot be used with the IP address 192.0.2.10 in CERTBOT_DOMAIN: Let's Encrypt issues IP-address certificates only under the shortlived profile; leave CERTBOT_PROFILE empty (it then defaults to shortlived) or set it to shortlived`,
    ]);
  });

  it('counts an address written twice once', () => {
    expect(loadConfig({ env: { CERTBOT_DOMAIN: 'fd00::5,FD00:0::5' } }).domains).toEqual(['fd00::5']);
  });

  it('refuses the --ip-address flag in CERTBOT_OPTIONS', () => {
    expect(loadError({ CERTBOT_DOMAIN: 'widgets.eu', CERTBOT_OPTIONS: '--ip-address 192.0.2.1' }).details[0]).toContain(
      'IP addresses go in CERTBOT_DOMAIN',
    );
  });
});

describe('canonicalIp and hostForUrl', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['FD00:0:0:0:0:0:0:5', 'fd00::5'],
    ['[::1]', '::1'],
    ['widgets.eu', undefined],
    ['1.2.3', undefined],
  ])('%j → %j', (input, expected) => {
    expect(canonicalIp(input)).toBe(expected);
  });

  it('brackets IPv6 only', () => {
    expect(hostForUrl('fd00::5')).toBe('[fd00::5]');
    expect(hostForUrl('192.0.2.1')).toBe('192.0.2.1');
    expect(hostForUrl('widgets.eu')).toBe('widgets.eu');
  });

  it('ipFamily answers as node:net isIP does', () => {
    for (const text of ['192.0.2.1', '::1', 'fd00::5', '::ffff:192.0.2.1', 'fe80::1%eth0', 'widgets.eu', '1.2.3', '', ':', '1::2::3'])
      expect([text, ipFamily(text)]).toEqual([text, isIP(text)]);
  });
});

import { describe, expect, it } from 'vitest';
import { credentialsFileProblem, officialDnsImage } from '../../../src/config/dns-challenge.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { isCertkitError } from '../../../src/errors.js';

const DNS = {
  CERTBOT_DOMAIN: 'widgets.eu,*.widgets.eu',
  CERTBOT_CHALLENGE: 'dns',
  CERTBOT_DNS_PLUGIN: 'cloudflare',
  CERTBOT_DNS_CREDENTIALS: '/etc/certkit/cloudflare.ini',
  CERTBOT_IMAGE: 'certbot/dns-cloudflare:v5.1.0',
};

/** The problems loadConfig reports for these settings (none: an empty list). */
function problems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig({ env });
    return [];
  } catch (error) {
    if (isCertkitError(error, 'CONFIG_INVALID')) return error.details;
    throw error;
  }
}

describe('CERTBOT_CHALLENGE=dns', () => {
  it('reads the plugin, the credentials and the propagation delay, and allows wildcards', () => {
    const config = loadConfig({ env: { ...DNS, CERTBOT_DNS_PROPAGATION_SECONDS: '90' } });
    expect(config.challenge).toEqual({
      type: 'dns',
      plugin: 'cloudflare',
      credentials: '/etc/certkit/cloudflare.ini',
      propagationSeconds: 90,
    });
    expect(config.domains).toEqual(['widgets.eu', '*.widgets.eu']);
    expect(config.nginx.serverNames).toEqual(['widgets.eu', '*.widgets.eu']);
  });

  it('names a certificate whose first name is a wildcard after its domain', () => {
    expect(loadConfig({ env: { ...DNS, CERTBOT_DOMAIN: '*.widgets.eu,widgets.eu' } }).certName).toBe('widgets.eu');
  });

  it('takes the plugin as certbot names it too (dns-cloudflare) and keeps the default propagation delay', () => {
    const config = loadConfig({ env: { ...DNS, CERTBOT_DNS_PLUGIN: 'DNS-Cloudflare' } });
    expect(config.challenge).toMatchObject({ plugin: 'cloudflare', propagationSeconds: undefined });
  });

  it('defaults to http, which refuses wildcards with the reason and the fix', () => {
    expect(loadConfig({ env: { CERTBOT_DOMAIN: 'widgets.eu' } }).challenge).toEqual({ type: 'http' });
    expect(problems({ CERTBOT_DOMAIN: 'widgets.eu,*.widgets.eu' })).toEqual([
      expect.stringMatching(
        /^CERTBOT_DOMAIN: "\*\.widgets\.eu" is a wildcard, and CAs validate wildcards only over DNS-01.*set CERTBOT_CHALLENGE=dns/,
      ),
    ]);
  });

  it.each([
    [{ CERTBOT_CHALLENGE: 'dns01' }, /^CERTBOT_CHALLENGE: "dns01" is not a challenge type: use http .* or dns/],
    [{ CERTBOT_DNS_PLUGIN: '' }, /^CERTBOT_DNS_PLUGIN: empty, but CERTBOT_CHALLENGE=dns needs/],
    [{ CERTBOT_DNS_PLUGIN: 'cloud flare' }, /^CERTBOT_DNS_PLUGIN: "cloud flare" is not a certbot DNS plugin name/],
    [
      { CERTBOT_DNS_CREDENTIALS: '' },
      /^CERTBOT_DNS_CREDENTIALS: empty, but the cloudflare plugin reads its credentials from a file.*chmod 600/,
    ],
    [{ CERTBOT_DNS_PROPAGATION_SECONDS: 'soon' }, /^CERTBOT_DNS_PROPAGATION_SECONDS: "soon" is not a number of seconds/],
    [{ CERTBOT_DNS_PROPAGATION_SECONDS: '7200' }, /^CERTBOT_DNS_PROPAGATION_SECONDS: "7200" is over an hour/],
    [{ CERTBOT_IMAGE: '' }, /^CERTBOT_IMAGE: empty, .* set CERTBOT_IMAGE=certbot\/dns-cloudflare:v5\.1\.0/],
    [{ CERTBOT_DOMAIN: 'widgets.eu,192.0.2.10' }, /^CERTBOT_DOMAIN: the IP address 192\.0\.2\.10 cannot be validated over DNS-01/],
    [
      { CERTBOT_DNS_PLUGIN: 'route53', CERTBOT_IMAGE: 'certbot/dns-route53:v5.1.0' },
      /^CERTBOT_DNS_CREDENTIALS: ".*" is set, but the route53 plugin reads no credentials file: it takes AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
    ],
  ])('refuses %j, naming the variable and the fix', (change, expected) => {
    const found = problems({ ...DNS, ...change });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(expected);
  });

  it('accepts route53 without a credentials file, and a third-party plugin in an image of your own without one', () => {
    expect(
      problems({ ...DNS, CERTBOT_DNS_PLUGIN: 'route53', CERTBOT_DNS_CREDENTIALS: '', CERTBOT_IMAGE: 'certbot/dns-route53:v5.1.0' }),
    ).toEqual([]);
    expect(problems({ ...DNS, CERTBOT_DNS_PLUGIN: 'standalone', CERTBOT_DNS_CREDENTIALS: '', CERTBOT_IMAGE: '' })).toEqual([]);
  });

  it.each(['CERTBOT_DNS_PLUGIN', 'CERTBOT_DNS_CREDENTIALS', 'CERTBOT_DNS_PROPAGATION_SECONDS'])(
    'refuses %s with CERTBOT_CHALLENGE=http',
    (key) => {
      const found = problems({ CERTBOT_DOMAIN: 'widgets.eu', [key]: key.endsWith('SECONDS') ? '30' : 'x' });
      expect(found).toEqual([
        expect.stringMatching(
          new RegExp(`^${key}: ".*" is set, but CERTBOT_CHALLENGE is http.*set CERTBOT_CHALLENGE=dns.*or remove ${key}$`),
        ),
      ]);
    },
  );

  it('names the official image for the official plugins only', () => {
    expect(officialDnsImage('rfc2136')).toBe('certbot/dns-rfc2136:v5.1.0');
    expect(officialDnsImage('standalone')).toBeUndefined();
  });
});

describe('credentialsFileProblem', () => {
  const file = { isFile: true, mode: 0o100600, size: 120 };

  it('accepts a private file outside the project folder', () => {
    expect(credentialsFileProblem('/etc/certkit/cf.ini', '/srv/app', file)).toBeUndefined();
    expect(credentialsFileProblem('../secrets/cf.ini', '/srv/app', file)).toBeUndefined();
  });

  it('refuses a file readable by group or others with the chmod to run', () => {
    expect(credentialsFileProblem('/etc/certkit/cf.ini', '/srv/app', { ...file, mode: 0o100644 })).toBe(
      'CERTBOT_DNS_CREDENTIALS: "/etc/certkit/cf.ini" has mode 0644, so other users on the host can read your DNS credentials; run: chmod 600 /etc/certkit/cf.ini',
    );
    expect(credentialsFileProblem('/etc/certkit/cf.ini', '/srv/app', { ...file, mode: 0o100640 })).toMatch(/chmod 600/);
  });

  it('refuses a missing file, a folder, an empty file and a file inside the project folder', () => {
    expect(credentialsFileProblem('/etc/certkit/cf.ini', '/srv/app', undefined)).toMatch(/does not exist .*chmod 600/);
    expect(credentialsFileProblem('/etc/certkit/cf.ini', '/srv/app', { ...file, isFile: false })).toMatch(/is not a regular file/);
    expect(credentialsFileProblem('/etc/certkit/cf.ini', '/srv/app', { ...file, size: 0 })).toMatch(/is empty/);
    expect(credentialsFileProblem('./cf.ini', '/srv/app', file)).toMatch(
      /is inside the project folder, which the certkit-init and certkit containers mount/,
    );
    expect(credentialsFileProblem('/srv/app/secrets/cf.ini', '/srv/app', file)).toMatch(/is inside the project folder/);
  });

  it('in a container without the mount (the daemon) checks only the place: the certbot preflight sees the file', () => {
    expect(credentialsFileProblem('/etc/certkit/cf.ini', '/project', 'not mounted')).toBeUndefined();
    expect(credentialsFileProblem('./cf.ini', '/project', 'not mounted')).toMatch(/is inside the project folder/);
  });
});

describe('a misspelt CERTBOT_DNS_PLUGIN', () => {
  it.each([
    ['rfc2163', 'rfc2136'],
    ['cloudflair', 'cloudflare'],
    ['dns-route35', 'route53'],
    ['digitalocaen', 'digitalocean'],
  ])('%s: refused with the closest official plugin and its image, nothing else about it', (given, meant) => {
    expect(problems({ ...DNS, CERTBOT_DNS_PLUGIN: given, CERTBOT_IMAGE: '' })).toEqual([
      `CERTBOT_DNS_PLUGIN: "${given}" is not a certbot DNS plugin; did you mean ${meant}? Set CERTBOT_DNS_PLUGIN=${meant} and CERTBOT_IMAGE=certbot/dns-${meant}:v5.1.0 (the official image that carries it). If dns-${given.replace(/^dns-/, '')} really is a third-party plugin you installed, trust it by name: CERTBOT_TRUSTED_PLUGINS=dns-${given.replace(/^dns-/, '')} (from the environment)`,
    ]);
  });

  it('lets a near name through once trusted (a third-party plugin), and a name near nothing official', () => {
    expect(
      problems({ ...DNS, CERTBOT_DNS_PLUGIN: 'rfc2163', CERTBOT_TRUSTED_PLUGINS: 'dns-rfc2163', CERTBOT_IMAGE: 'mine/certbot:1' }),
    ).toEqual([]);
    expect(problems({ ...DNS, CERTBOT_DNS_PLUGIN: 'gandi', CERTBOT_IMAGE: 'mine/certbot:1' })).toEqual([]);
  });
});

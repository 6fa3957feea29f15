import { describe, expect, it } from 'vitest';
import { readSiteLabels } from '../../../src/sites/site-labels.js';
import { validateSite } from '../../../src/sites/validate-site.js';
import { describeRefusal, type SiteRefusal } from '../../../src/sites/site.js';
import type { SiteDeclaration } from '../../../src/sites/declaration.js';
import { appContainer } from './sites.fixtures.js';

const defaults = { keyType: { type: 'ecdsa', curve: 'secp256r1' } as const, profile: undefined, dns: undefined };

function declared(labels: Record<string, string>, extra = {}): SiteDeclaration {
  const read = readSiteLabels(appContainer('web', labels, extra));
  if (!read || !('settings' in read)) throw new Error(`expected a declaration, got ${JSON.stringify(read)}`);
  return read;
}

describe('readSiteLabels', () => {
  it('ignores containers without certkit.host, or with certkit.enable=false', () => {
    expect(readSiteLabels(appContainer('db', {}))).toBeUndefined();
    expect(readSiteLabels(appContainer('web', { 'certkit.host': 'shop.example.com', 'certkit.enable': 'false' }))).toBeUndefined();
  });

  it('names the site after project and service unless certkit.site says', () => {
    expect(declared({ 'certkit.host': 'shop.example.com' }).site.value).toBe('shop-web');
    expect(declared({ 'certkit.host': 'shop.example.com', 'certkit.site': 'store' }).site.value).toBe('store');
  });

  it('refuses an unknown certkit label with the closest known one', () => {
    const read = readSiteLabels(appContainer('web', { 'certkit.host': 'shop.example.com', 'certkit.prt': '3000' })) as SiteRefusal;
    expect(read.key).toBe('certkit.prt');
    expect(describeRefusal(read)).toMatch(
      /service web of project shop \(container shop-web-1\): certkit\.prt="3000" is not a certkit label; did you mean certkit\.port\?/,
    );
  });

  it('refuses sites-file settings on a label', () => {
    const read = readSiteLabels(
      appContainer('web', { 'certkit.host': 'shop.example.com', 'certkit.upstream': 'http://x:1' }),
    ) as SiteRefusal;
    expect(read.problem).toMatch(/sites file/);
  });
});

describe('a labelled site', () => {
  it('routes / to the container by name and its one exposed port', () => {
    const site = validateSite([declared({ 'certkit.host': 'Shop.example.com, www.shop.example.com' })], defaults);
    expect(site).toMatchObject({
      id: 'shop-web',
      certName: 'shop-web',
      names: ['shop.example.com', 'www.shop.example.com'],
      routes: [{ path: '/', upstream: 'http://shop-web-1:3000' }],
      challenge: { type: 'http' },
    });
  });

  it('asks for certkit.port when the container exposes none or several', () => {
    for (const exposedPorts of [[], [80, 443]]) {
      const refusals = validateSite([declared({ 'certkit.host': 'shop.example.com' }, { exposedPorts })], defaults) as SiteRefusal[];
      expect(refusals[0]?.key).toBe('certkit.port');
      expect(refusals[0]?.problem).toMatch(/set certkit\.port/);
    }
  });

  it('joins services with the same certkit.site into one site, one route each', () => {
    const web = declared({ 'certkit.host': 'shop.example.com', 'certkit.site': 'shop' });
    const api = readSiteLabels(
      appContainer('api', { 'certkit.host': 'shop.example.com', 'certkit.site': 'shop', 'certkit.path': '/api', 'certkit.port': '5001' }),
    ) as SiteDeclaration;
    const site = validateSite([web, api], defaults);
    expect(site).toMatchObject({
      names: ['shop.example.com'],
      routes: [
        { path: '/api', upstream: 'http://shop-api-1:5001' },
        { path: '/', upstream: 'http://shop-web-1:3000' },
      ],
    });
  });

  it('refuses two services taking the same path of one site', () => {
    const one = declared({ 'certkit.host': 'shop.example.com', 'certkit.site': 'shop' });
    const two = readSiteLabels(appContainer('api', { 'certkit.host': 'shop.example.com', 'certkit.site': 'shop' })) as SiteDeclaration;
    const refusals = validateSite([one, two], defaults) as SiteRefusal[];
    expect(refusals.map(describeRefusal).join('\n')).toMatch(/routes \/, which http:\/\/shop-web-1:3000 already serves/);
  });

  it.each([
    [{ 'certkit.host': 'shop example.com' }, 'certkit.host', /not valid/],
    [{ 'certkit.host': 'shop.example.com', 'certkit.port': '70000' }, 'certkit.port', /between 1 and 65535/],
    [{ 'certkit.host': 'shop.example.com', 'certkit.scheme': 'ftp' }, 'certkit.scheme', /http or https/],
    [{ 'certkit.host': 'shop.example.com', 'certkit.path': 'api' }, 'certkit.path', /not a path prefix/],
    [{ 'certkit.host': 'shop.example.com', 'certkit.path': '/.well-known/acme-challenge' }, 'certkit.path', /validation/],
    [{ 'certkit.host': 'shop.example.com', 'certkit.challenge': 'tls' }, 'certkit.challenge', /not a challenge type/],
    [{ 'certkit.host': 'shop.example.com', 'certkit.challenge': 'dns' }, 'certkit.challenge', /CERTBOT_CHALLENGE=dns/],
    [{ 'certkit.host': '*.example.com' }, 'certkit.host', /wildcard/],
    [{ 'certkit.host': 'shop.example.com', 'certkit.key-type': 'rsa-1024' }, 'certkit.key-type', /not a key type/],
    [{ 'certkit.host': 'shop.example.com', 'certkit.site': 'Shop Site' }, 'certkit.site', /not a site name/],
  ])('refuses %j at %s', (labels, key, problem) => {
    const refusals = validateSite([declared(labels)], defaults) as SiteRefusal[];
    expect(Array.isArray(refusals)).toBe(true);
    expect(refusals[0]?.key).toBe(key);
    expect(refusals[0]?.problem).toMatch(problem);
  });

  it('takes DNS-01 with the plugin .env sets, wildcards included', () => {
    const dns = { type: 'dns', plugin: 'rfc2136', credentials: '/etc/certkit/rfc2136.ini', propagationSeconds: undefined } as const;
    const site = validateSite([declared({ 'certkit.host': '*.shop.example.com', 'certkit.challenge': 'dns' })], { ...defaults, dns });
    expect(site).toMatchObject({ names: ['*.shop.example.com'], challenge: dns });
  });
});

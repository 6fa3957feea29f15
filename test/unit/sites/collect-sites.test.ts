import { describe, expect, it } from 'vitest';
import { collectSites } from '../../../src/sites/collect-sites.js';
import type { SiteDeclaration } from '../../../src/sites/declaration.js';
import { configForSite, envSite, siteDefaults } from '../../../src/sites/env-site.js';
import { reconcile, stillServed } from '../../../src/sites/reconcile.js';
import { readSiteLabels } from '../../../src/sites/site-labels.js';
import { parseSitesFile } from '../../../src/sites/sites-file.js';
import { describeRefusal } from '../../../src/sites/site.js';
import { makeConfig } from '../support/make-config.js';
import { appContainer } from './sites.fixtures.js';

const config = makeConfig({ CERTBOT_DOMAIN: 'widgets.eu,www.widgets.eu', NGINX_UPSTREAM: 'http://app:3000' });
const label = (service: string, labels: Record<string, string>) => readSiteLabels(appContainer(service, labels)) as SiteDeclaration;

describe('collectSites', () => {
  it('keeps the .env site first, with the lineage it always had', () => {
    const { sites } = collectSites(envSite(config, '.env'), [], siteDefaults(config));
    expect(sites).toMatchObject([{ id: 'widgets.eu', certName: 'widgets.eu', names: ['widgets.eu', 'www.widgets.eu'] }]);
    expect(configForSite(config, sites[0]!)).toEqual(config);
  });

  it('refuses a bad site alone and serves the rest', () => {
    const found = [
      label('web', { 'certkit.host': 'shop.example.com' }),
      label('blog', { 'certkit.host': 'blog example.com' }),
      ...parseSitesFile('sites.yaml', 'wiki:\n  host: wiki.example.com\n  upstream: http://10.0.0.5:8080\n'),
    ];
    const { sites, refused } = collectSites(envSite(config, '.env'), found, siteDefaults(config));
    expect(sites.map((site) => site.id)).toEqual(['widgets.eu', 'wiki', 'shop-web']);
    expect(refused.map(describeRefusal)).toEqual([
      expect.stringMatching(/^site shop-blog: service blog .*certkit\.host="blog example\.com" is not valid/),
    ]);
  });

  it('gives a name claimed twice to the site that comes first and names it in the refusal', () => {
    const found = [
      label('web', { 'certkit.host': 'www.widgets.eu' }),
      label('new', { 'certkit.host': 'a.example.com' }),
      label('old', { 'certkit.host': 'a.example.com' }),
    ];
    const { sites, refused } = collectSites(envSite(config, '.env'), found, siteDefaults(config), new Set(['shop-old']));
    expect(sites.map((site) => site.id)).toEqual(['widgets.eu', 'shop-old']);
    expect(refused.map(describeRefusal)).toEqual([
      expect.stringMatching(/site shop-new: .*claims a\.example\.com, which site shop-old \(service old of project shop/),
      expect.stringMatching(/site shop-web: .*claims www\.widgets\.eu, which site widgets\.eu \(\.env\) already serves/),
    ]);
  });

  it('refuses a label site named like the .env lineage, or like a file site', () => {
    const found = [
      label('web', { 'certkit.host': 'shop.example.com', 'certkit.site': 'widgets.eu' }),
      label('api', { 'certkit.host': 'api.example.com', 'certkit.site': 'wiki' }),
      ...parseSitesFile('sites.yaml', 'wiki:\n  host: wiki.example.com\n'),
    ];
    const { sites, refused } = collectSites(envSite(config, '.env'), found, siteDefaults(config));
    expect(sites.map((site) => site.id)).toEqual(['widgets.eu', 'wiki']);
    expect(refused.map((refusal) => refusal.problem)).toEqual([
      expect.stringMatching(/name of the site \.env declares/),
      expect.stringMatching(/sites file declares \(sites\.yaml line 1\)/),
    ]);
  });
});

describe('reconcile', () => {
  const now = new Date('2026-12-02T12:00:00Z');
  const { sites } = collectSites(
    envSite(config, '.env'),
    [label('web', { 'certkit.host': 'shop.example.com,www.shop.example.com' })],
    siteDefaults(config),
  );
  const lineage = (certName: string, names: string[]) => ({ certName, names, serial: '01', notAfter: new Date('2027-01-01T00:00:00Z') });

  it('issues a new site, reissues one whose names changed on the same lineage, checks the rest', () => {
    const { work } = reconcile({
      sites,
      lineages: [lineage('widgets.eu', ['widgets.eu', 'www.widgets.eu'])],
      seen: {},
      now,
      graceMs: 1000,
    });
    expect(work.map((entry) => [entry.site.id, entry.kind])).toEqual([
      ['widgets.eu', 'check'],
      ['shop-web', 'issue'],
    ]);
    const changed = reconcile({
      sites,
      lineages: [lineage('shop-web', ['shop.example.com', 'old.example.com'])],
      seen: {},
      now,
      graceMs: 1000,
    });
    expect(changed.work[1]).toMatchObject({ kind: 'change-names', added: ['www.shop.example.com'], removed: ['old.example.com'] });
  });

  it('retires a lineage whose site is gone, served for the grace period after it was last seen', () => {
    const seenAt = new Date(now.getTime() - 3_600_000).toISOString();
    const { retired, seen } = reconcile({
      sites: sites.slice(0, 1),
      lineages: [lineage('shop-web', ['shop.example.com']), lineage('imported', ['x.example.com'])],
      seen: { 'shop-web': seenAt },
      now,
      graceMs: 2 * 3_600_000,
    });
    expect(retired.map((entry) => [entry.lineage.certName, stillServed(entry, now)])).toEqual([
      ['shop-web', true],
      ['imported', false],
    ]);
    expect(stillServed(retired[0]!, new Date(now.getTime() + 3_600_000))).toBe(false);
    expect(seen).toEqual({ 'widgets.eu': now.toISOString(), 'shop-web': seenAt });
  });
});

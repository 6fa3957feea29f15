import { describe, expect, it } from 'vitest';
import { namesOf, planServing, servesSite, type PendingSite } from '../../../src/update/serve-plan.js';

const site = (id: string, serial: string, options: Partial<PendingSite> = {}): PendingSite => ({
  id,
  names: [`${id}.eu`, `www.${id}.eu`],
  serial,
  changed: true,
  relinked: false,
  ...options,
});

describe('planServing: one decision for every site a sweep worked on', () => {
  it('first certificates (no HTTPS yet) and relinked sites share one reload; a site already served needs nothing', () => {
    const plan = planServing({
      sites: [site('new', 'a1'), site('back', 'b1', { changed: false, relinked: true }), site('same', 'c1')],
      served: new Map([
        ['same.eu', 'c1'],
        ['www.same.eu', 'c1'],
      ]),
      loading: 'cached',
    });
    expect(plan).toEqual({ done: ['same'], awaited: [], reloaded: ['new', 'back'] });
  });

  it('a renewal nginx reads at handshakes is awaited, not reloaded; with a fixed path it needs the reload', () => {
    const renewed = site('shop', 'new');
    const served = new Map([
      ['shop.eu', 'old'],
      ['www.shop.eu', 'old'],
    ]);
    expect(planServing({ sites: [renewed], served, loading: 'handshake' })).toEqual({ done: [], awaited: ['shop'], reloaded: [] });
    expect(planServing({ sites: [renewed], served, loading: 'reload' })).toEqual({ done: [], awaited: [], reloaded: ['shop'] });
    // How nginx loads certificates could not be told: a reload, as for one site.
    expect(planServing({ sites: [renewed], served, loading: undefined }).reloaded).toEqual(['shop']);
  });

  it('one name of a site without HTTPS makes that site reload, whatever the loading mode', () => {
    const served = new Map([['shop.eu', 'new']]);
    expect(planServing({ sites: [site('shop', 'new')], served, loading: 'cached' }).reloaded).toEqual(['shop']);
  });

  it('no sites: nothing to do', () => {
    expect(planServing({ sites: [], served: new Map(), loading: 'cached' })).toEqual({ done: [], awaited: [], reloaded: [] });
  });
});

describe('namesOf and servesSite', () => {
  it('asks each name once, in order', () => {
    expect(namesOf([{ names: ['a.eu', 'b.eu'] }, { names: ['b.eu', 'c.eu'] }])).toEqual(['a.eu', 'b.eu', 'c.eu']);
  });

  it('a site is served when every one of its names shows its serial', () => {
    const shop = site('shop', 's1');
    expect(servesSite(shop, new Map([['shop.eu', 's1']]))).toBe(false);
    expect(
      servesSite(
        shop,
        new Map([
          ['shop.eu', 's1'],
          ['www.shop.eu', 's1'],
        ]),
      ),
    ).toBe(true);
  });
});

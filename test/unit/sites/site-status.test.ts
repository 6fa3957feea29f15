import { describe, expect, it } from 'vitest';
import type { Site, SiteRefusal } from '../../../src/sites/site.js';
import { attachSites } from '../../../src/sites/site-status.js';
import { formatStatusTable, type StatusEntry } from '../../../src/store/status-entries.js';
import { statusEntry } from '../support/status-entry.js';

function entry(name: string, domains: string[], overrides: Partial<StatusEntry> = {}): StatusEntry {
  return statusEntry({ name, domains, ...overrides });
}

function site(id: string, names: string[]): Site {
  return {
    id,
    certName: id === 'env' ? names[0]! : id,
    names,
    routes: [],
    challenge: { type: 'http' },
    profile: undefined,
    keyType: { type: 'ecdsa', curve: 'secp256r1' },
    sources: [id === 'env' ? { kind: 'env', file: '.env' } : { kind: 'label', container: `shop-${id}-1`, project: 'shop', service: id }],
  };
}

const refusal: SiteRefusal = {
  site: 'wiki',
  source: { kind: 'label', container: 'wiki-app-1', project: 'wiki', service: 'app' },
  key: 'certkit.port',
  value: 'http',
  problem: 'is not a port number: set it to the port the service listens on, such as 8080',
};

describe('attachSites: status has a row per site and per certificate', () => {
  it('names the site of each certificate and keeps the store facts', () => {
    const { entries, refusals } = attachSites([entry('app.test', ['app.test']), entry('shop', ['shop.test'])], {
      sites: [site('env', ['app.test']), site('shop', ['shop.test'])],
      refused: [],
    });
    expect(entries.map((row) => [row.site, row.name, row.ready, row.problems])).toEqual([
      ['env', 'app.test', true, []],
      ['shop', 'shop', true, []],
    ]);
    expect(refusals).toEqual([]);
  });

  it('a declared site without a certificate is a row with a problem naming where it was declared and the fix', () => {
    const { entries } = attachSites([entry('app.test', ['app.test'])], {
      sites: [site('env', ['app.test']), site('blog', ['blog.test'])],
      refused: [],
    });
    const blog = entries.find((row) => row.site === 'blog');
    expect(blog).toMatchObject({ name: 'blog', domains: ['blog.test'], serial: null, ready: false, live: 'missing' });
    expect(blog?.problems).toEqual([
      expect.stringMatching(
        /site blog \(declared in service blog of project shop \(container shop-blog-1\)\) has no certificate yet: .*certkit update blog/,
      ),
    ]);
  });

  it('a site whose names differ from its certificate says so until it is reissued', () => {
    const { entries } = attachSites([entry('shop', ['shop.test', 'old.test'])], {
      sites: [site('shop', ['shop.test', 'new.test'])],
      refused: [],
    });
    expect(entries[0]?.problems).toEqual([expect.stringMatching(/site shop now declares other names \(\+new\.test -old\.test\)/)]);
  });

  it("a certificate of no site (its site removed) has no site and no 'nginx serves' problem: nothing should serve it", () => {
    const gone = entry('old', ['old.test'], {
      served: null,
      ready: false,
      problems: ['nginx serves no certificate for old.test, not aa: run `certkit update`'],
    });
    const { entries } = attachSites([gone], { sites: [], refused: [] });
    expect(entries[0]).toMatchObject({ site: null, served: null, problems: [] });
  });

  it('keeps other problems of a certificate of no site (an expired or broken lineage is still worth fixing)', () => {
    const broken = entry('old', ['old.test'], { problems: ['live/old/cert.pem is missing: run `certkit doctor --fix`'] });
    expect(attachSites([broken], { sites: [], refused: [] }).entries[0]?.problems).toEqual([
      'live/old/cert.pem is missing: run `certkit doctor --fix`',
    ]);
  });

  it('refused declarations come out as one line each, with where, the label, the value and the fix', () => {
    const { refusals } = attachSites([], { sites: [], refused: [refusal] });
    expect(refusals).toEqual([
      'site wiki: service app of project wiki (container wiki-app-1): certkit.port="http" is not a port number: set it to the port the service listens on, such as 8080',
    ]);
  });

  it('the table gets a SITE column on a stack, and none with --store', () => {
    const { entries } = attachSites([entry('app.test', ['app.test'])], {
      sites: [site('env', ['app.test']), site('blog', ['blog.test'])],
      refused: [],
    });
    const table = formatStatusTable(entries).split('\n');
    expect(table[0]).toMatch(/^SITE {2,}NAME/);
    expect(table[1]).toMatch(/^env {2,}app\.test/);
    expect(table[2]).toMatch(/^blog {2,}blog /);
    expect(formatStatusTable([entry('app.test', ['app.test'])]).split('\n')[0]).toMatch(/^NAME/);
  });
});

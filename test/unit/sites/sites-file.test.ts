import { describe, expect, it } from 'vitest';
import type { SiteDeclaration } from '../../../src/sites/declaration.js';
import { parseSitesFile } from '../../../src/sites/sites-file.js';
import { describeRefusal, type SiteRefusal } from '../../../src/sites/site.js';
import { validateSite } from '../../../src/sites/validate-site.js';

const defaults = { keyType: { type: 'ecdsa', curve: 'secp256r1' } as const, profile: undefined, dns: undefined };

const TEXT = `# sites that are not containers
wiki:
  host: wiki.example.com
  upstream: http://192.168.1.20:8080

dash:
  host: [dash.example.com, www.dash.example.com]
  routes: /api=http://10.0.0.5:5001,/=http://10.0.0.5:3000
  profile: tlsserver
`;

describe('parseSitesFile', () => {
  it('reads each site with the line it starts on', () => {
    const [wiki, dash] = parseSitesFile('sites.yaml', TEXT) as SiteDeclaration[];
    expect(wiki?.source).toEqual({ kind: 'file', file: 'sites.yaml', line: 2 });
    expect(dash?.source).toEqual({ kind: 'file', file: 'sites.yaml', line: 6 });
    expect(validateSite([dash as SiteDeclaration], defaults)).toMatchObject({
      id: 'dash',
      names: ['dash.example.com', 'www.dash.example.com'],
      routes: [
        { path: '/api', upstream: 'http://10.0.0.5:5001' },
        { path: '/', upstream: 'http://10.0.0.5:3000' },
      ],
      profile: 'tlsserver',
    });
    expect(validateSite([wiki as SiteDeclaration], defaults)).toMatchObject({
      routes: [{ path: '/', upstream: 'http://192.168.1.20:8080' }],
    });
  });

  it('refuses one broken entry by its line and keeps the others', () => {
    const found = parseSitesFile('sites.yaml', `${TEXT}blog:\n  host: blog.example.com\n  upstrem: http://10.0.0.9:80\n`);
    expect(found.filter((entry) => 'settings' in entry)).toHaveLength(2);
    const refusal = found.find((entry) => !('settings' in entry)) as SiteRefusal;
    expect(describeRefusal(refusal)).toBe(
      'site blog: sites.yaml line 12: upstrem="http://10.0.0.9:80" is not a setting of a site; did you mean upstream?',
    );
  });

  it('refuses label-only settings and an entry without settings', () => {
    const found = parseSitesFile('sites.yaml', 'a:\n  host: a.example.com\n  port: 80\nb: b.example.com\n') as SiteRefusal[];
    expect(found.map((refusal) => refusal.problem)).toEqual([expect.stringMatching(/service label/), expect.stringMatching(/no settings/)]);
  });

  it('refuses a file that is not YAML, or not a mapping, as one refusal naming the line', () => {
    const [broken] = parseSitesFile('sites.yaml', 'wiki:\n  host: [a.example.com\n') as SiteRefusal[];
    expect(broken?.problem).toMatch(/not valid YAML/);
    const [list] = parseSitesFile('sites.yaml', '- wiki\n') as SiteRefusal[];
    expect(list?.problem).toMatch(/not a mapping/);
  });

  it('reads an empty file as no sites', () => {
    expect(parseSitesFile('sites.yaml', '')).toEqual([]);
    expect(parseSitesFile('sites.yaml', '# nothing yet\n')).toEqual([]);
  });

  it('refuses a file entry without host, and upstream beside routes', () => {
    const [noHost] = parseSitesFile('sites.yaml', 'wiki:\n  upstream: http://10.0.0.5:80\n') as SiteDeclaration[];
    expect((validateSite([noHost as SiteDeclaration], defaults) as SiteRefusal[])[0]?.problem).toMatch(/is missing/);
    const [both] = parseSitesFile(
      'sites.yaml',
      'wiki:\n  host: w.example.com\n  upstream: http://a:1\n  routes: /=http://b:2\n',
    ) as SiteDeclaration[];
    expect((validateSite([both as SiteDeclaration], defaults) as SiteRefusal[])[0]?.problem).toMatch(/both say where requests go/);
  });
});

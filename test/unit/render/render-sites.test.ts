import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { renderProject } from '../../../src/render/render-project.js';
import { collectSites } from '../../../src/sites/collect-sites.js';
import { envSite, siteDefaults } from '../../../src/sites/env-site.js';
import { parseSitesFile } from '../../../src/sites/sites-file.js';
import { makeConfig } from '../support/make-config.js';

const TEMPLATES = fileURLToPath(new URL('../../../templates', import.meta.url));
const dirs: string[] = [];
afterEach(async () => Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true }))));

const config = makeConfig({ CERTBOT_DOMAIN: 'widgets.eu', NGINX_UPSTREAM: 'http://app:3000' });
const NOW = new Date('2026-12-02T12:00:00Z');
const HOUR = 3_600_000;
const otherSites = (text: string, now = NOW, graceMs = 0) => ({
  others: collectSites(envSite(config, '.env'), parseSitesFile('sites.yaml', text), siteDefaults(config)).sites.slice(1),
  now,
  graceMs,
});
const none = (now = NOW, graceMs = 0) => ({ others: [], now, graceMs });
const TWO = 'wiki:\n  host: wiki.example.com\n  upstream: http://10.0.0.5:8080\nblog:\n  host: blog.example.com\n';

describe('renderProject with other sites', () => {
  it('renders each site from the same templates, with its own names, routes and certificate, never as the default server', async () => {
    const project = await mkdtemp(join(tmpdir(), 'certkit-sites-'));
    dirs.push(project);
    const changes = await renderProject(config, project, TEMPLATES, otherSites(TWO));
    expect(changes.nginxChanged).toBe(true);
    expect((await readdir(join(project, 'nginx/sites'))).sort()).toEqual([
      'blog.http.conf',
      'blog.https.conf',
      'wiki.http.conf',
      'wiki.https.conf',
    ]);
    const wiki = await readFile(join(project, 'nginx/sites/wiki.https.conf'), 'utf8');
    expect(wiki).toContain('server_name wiki.example.com;');
    expect(wiki).toContain('root /etc/certkit/deploy/wiki/tls/current.pem;');
    expect(wiki).toContain('include /run/certkit-nginx/site-tls/wiki.conf;');
    expect(wiki).toContain('set $certkit_upstream http://10.0.0.5:8080;');
    expect(wiki).not.toContain('default_server');
    expect(wiki).not.toContain('$certkit_tls_bundle');
    expect(await readFile(join(project, 'nginx/sites/blog.http.conf'), 'utf8')).toContain('if (-f /etc/certkit/deploy/blog/bundle.pem)');
    // Names of no site: refused at the handshake, 404 over HTTP; the .env site is no longer the default.
    expect(await readFile(join(project, 'nginx/default-server.conf'), 'utf8')).toContain('ssl_reject_handshake on;');
    expect(await readFile(join(project, 'nginx/site-https.conf'), 'utf8')).not.toContain('default_server');
  });

  it('gives the sites linked to HTTPS one port-80 server together, not one each, and its names through the entrypoint', async () => {
    const project = await mkdtemp(join(tmpdir(), 'certkit-sites-'));
    dirs.push(project);
    await renderProject(config, project, TEMPLATES, otherSites(TWO));
    const wiki = await readFile(join(project, 'nginx/sites/wiki.https.conf'), 'utf8');
    expect(wiki).not.toContain('listen 80');
    expect(wiki).toContain('\n# certkit-http-names: server_name wiki.example.com;\n');
    // The HTTP file, linked while the site has no certificate, keeps its own port-80 server (its app, the challenge).
    expect(await readFile(join(project, 'nginx/sites/wiki.http.conf'), 'utf8')).toMatch(/listen 80;\n\s*server_name wiki\.example\.com;/);
    const fallback = await readFile(join(project, 'nginx/default-server.conf'), 'utf8');
    expect(fallback).toMatch(
      /server \{\n\s*listen 80;\n\s*include \/run\/certkit-nginx\/sites\/https-names\*\.inc;[^]*location \^~ \/\.well-known\/acme-challenge\/[^]*return 301 https:\/\/\$host\$request_uri;/,
    );
    expect(fallback).toContain('return 404 "certkit: no site is declared for this name\\n";');
    // The proxy settings every site shares: once at http level, not in each site's location.
    expect(fallback).toMatch(/^\s*proxy_set_header Host \$host;$/m);
    expect(fallback).toMatch(/^\s*proxy_set_header Connection \$connection_upgrade;$/m);
    expect(wiki).toContain('proxy_pass $certkit_upstream;');
    expect(wiki).not.toContain('proxy_set_header');
    // The .env site keeps its own.
    const envHttps = await readFile(join(project, 'nginx/site-https.conf'), 'utf8');
    expect(envHttps).toMatch(/listen 80;\n\s*server_name widgets\.eu;/);
    expect(envHttps).toContain('proxy_set_header X-Forwarded-Proto $scheme;');
  });

  it('keeps a port-80 server in each HTTPS file when the .env site, with an IP address, is the default server', async () => {
    const project = await mkdtemp(join(tmpdir(), 'certkit-sites-'));
    dirs.push(project);
    const byAddress = makeConfig({ CERTBOT_DOMAIN: '192.0.2.10', NGINX_UPSTREAM: 'http://app:3000' });
    const others = collectSites(envSite(byAddress, '.env'), parseSitesFile('sites.yaml', TWO), siteDefaults(byAddress)).sites.slice(1);
    await renderProject(byAddress, project, TEMPLATES, { others, now: NOW, graceMs: 0 });
    const wiki = await readFile(join(project, 'nginx/sites/wiki.https.conf'), 'utf8');
    expect(wiki).toMatch(/listen 80;\n\s*server_name wiki\.example\.com;[^]*return 301 https:\/\/\$host\$request_uri;/);
    expect(wiki).not.toContain('certkit-http-names');
    expect(wiki).toContain('proxy_set_header Host $host;');
    expect(await readdir(join(project, 'nginx'))).not.toContain('default-server.conf');
  });

  it('removes the files of a site that is gone, and the default server with the last other site', async () => {
    const project = await mkdtemp(join(tmpdir(), 'certkit-sites-'));
    dirs.push(project);
    await renderProject(config, project, TEMPLATES, otherSites(TWO));
    const one = await renderProject(config, project, TEMPLATES, otherSites('wiki:\n  host: wiki.example.com\n'));
    expect(one.nginxChanged).toBe(true);
    // Every nginx file carries the stamp of the whole rendering, so they all change with a site gone.
    expect(one.files.sort()).toEqual([
      'nginx/certkit-acme.conf',
      'nginx/default-server.conf',
      'nginx/site-http.conf',
      'nginx/site-https.conf',
      'nginx/sites/blog.http.conf',
      'nginx/sites/blog.https.conf',
      'nginx/sites/wiki.http.conf',
      'nginx/sites/wiki.https.conf',
    ]);
    const last = await renderProject(config, project, TEMPLATES, none());
    expect(last.nginxChanged).toBe(true);
    expect(last.files.sort()).toEqual([
      'nginx/certkit-acme.conf',
      'nginx/default-server.conf',
      'nginx/site-http.conf',
      'nginx/site-https.conf',
      'nginx/sites/wiki.http.conf',
      'nginx/sites/wiki.https.conf',
    ]);
    expect(await readFile(join(project, 'nginx/site-https.conf'), 'utf8')).toContain(
      'include /run/certkit-nginx/listen-https-default.conf;',
    );
    expect(await renderProject(config, project, TEMPLATES, none())).toMatchObject({ files: [], nginxChanged: false });
  });

  it('leaves the other sites as they are when rendered without them (certkit render, certkit-init)', async () => {
    const project = await mkdtemp(join(tmpdir(), 'certkit-sites-'));
    dirs.push(project);
    await renderProject(config, project, TEMPLATES, otherSites(TWO));
    const plain = await renderProject(config, project, TEMPLATES);
    expect(plain).toMatchObject({ files: [], nginxChanged: false });
    expect(plain.retained.map((site) => site.id).sort()).toEqual(['blog', 'wiki']);
    expect(await readFile(join(project, 'nginx/site-https.conf'), 'utf8')).not.toContain('default_server');
  });

  it('keeps serving a site whose declaration went for the grace, counted from when it was last declared', async () => {
    const project = await mkdtemp(join(tmpdir(), 'certkit-sites-'));
    dirs.push(project);
    await renderProject(config, project, TEMPLATES, otherSites(TWO));
    const later = new Date(NOW.getTime() + HOUR);
    const kept = await renderProject(config, project, TEMPLATES, otherSites('wiki:\n  host: wiki.example.com\n', later, 2 * HOUR));
    expect(kept.retained).toEqual([{ id: 'blog', until: new Date(NOW.getTime() + 2 * HOUR) }]);
    expect((await readdir(join(project, 'nginx/sites'))).sort()).toEqual([
      'blog.http.conf',
      'blog.https.conf',
      'wiki.http.conf',
      'wiki.https.conf',
    ]);
    // Both gone: still no default server for the .env site while blog is served.
    const both = await renderProject(config, project, TEMPLATES, none(later, 2 * HOUR));
    expect(both.retained.map((site) => site.id).sort()).toEqual(['blog', 'wiki']);
    expect(await readFile(join(project, 'nginx/default-server.conf'), 'utf8')).toContain('ssl_reject_handshake on;');
    const after = await renderProject(config, project, TEMPLATES, none(new Date(NOW.getTime() + 2 * HOUR + 1), 2 * HOUR));
    expect(after.retained.map((site) => site.id)).toEqual(['wiki']);
    expect(await readdir(join(project, 'nginx/sites'))).toEqual(['wiki.http.conf', 'wiki.https.conf']);
  });
});

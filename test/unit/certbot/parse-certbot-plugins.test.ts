import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCertbotPlugins } from '../../../src/certbot/parse-certbot-plugins.js';
import { formatPluginsTable, withFolderPlugins } from '../../../src/cli/commands/plugins.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/certbot-plugins');

describe('parseCertbotPlugins', () => {
  // Real `certbot plugins` output of the stand-in images (Debian's certbot with python3-certbot-dns-rfc2136).
  it.each(['certbot-2.1-dns-rfc2136.txt', 'certbot-5.5-dns-rfc2136.txt'])('reads %s', (file) => {
    const plugins = parseCertbotPlugins(readFileSync(join(FIXTURES, file), 'utf8'));
    expect(plugins.map((plugin) => plugin.name)).toEqual(['dns-rfc2136', 'standalone', 'webroot']);
    expect(plugins[0]).toEqual({
      name: 'dns-rfc2136',
      description: 'Obtain certificates using a DNS TXT record (if you are using BIND for DNS).',
      kinds: ['authenticator'],
      module: 'certbot_dns_rfc2136._internal.dns_rfc2136',
      source: 'certbot_dns_rfc2136',
    });
    expect(plugins[2]).toMatchObject({ name: 'webroot', kinds: ['authenticator'], source: 'certbot (built in)' });
  });

  it('reads installers and an output without plugins', () => {
    const output =
      '* nginx\nDescription: Nginx Web Server plugin\nInterfaces: Installer, Authenticator, Plugin\nEntry point: nginx = certbot_nginx._internal.configurator:NginxConfigurator\n';
    expect(parseCertbotPlugins(output)).toEqual([
      expect.objectContaining({ name: 'nginx', kinds: ['authenticator', 'installer'], source: 'certbot_nginx' }),
    ]);
    expect(parseCertbotPlugins('Saving debug log to /var/log/letsencrypt/letsencrypt.log\n')).toEqual([]);
  });
});

describe('formatPluginsTable', () => {
  it('prints one aligned line per plugin with where it comes from', () => {
    const plugins = parseCertbotPlugins(readFileSync(join(FIXTURES, 'certbot-5.5-dns-rfc2136.txt'), 'utf8'));
    const lines = formatPluginsTable(plugins).trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+KIND\s+FROM\s+DESCRIPTION$/);
    expect(lines[1]).toMatch(/^dns-rfc2136\s+authenticator\s+certbot_dns_rfc2136\s+Obtain certificates using a DNS TXT record/);
    expect(lines[3]).toMatch(/^webroot\s+authenticator\s+certbot \(built in\)\s+Saves/);
  });
});

describe('withFolderPlugins', () => {
  const folder = [{ name: 'dns-standalone', distribution: 'certbot-dns-standalone', version: '1.1' }];
  const image = parseCertbotPlugins(readFileSync(join(FIXTURES, 'certbot-5.5-dns-rfc2136.txt'), 'utf8'));

  it('lists an untrusted folder plugin as not loaded', () => {
    expect(withFolderPlugins(image, folder, []).at(-1)).toEqual({
      name: 'dns-standalone',
      description: '',
      kinds: [],
      module: '',
      source: 'plugins folder: certbot-dns-standalone 1.1 (not trusted: not loaded)',
    });
  });

  it('marks a trusted folder plugin certbot loaded', () => {
    const loaded = parseCertbotPlugins(
      '* dns-standalone\nDescription: Standalone DNS Authenticator\nInterfaces: Authenticator, Plugin\nEntry point: dns-standalone = certbot_dns_standalone.dns_standalone:Authenticator\n',
    );
    expect(withFolderPlugins(loaded, folder, ['dns-standalone'])).toEqual([
      expect.objectContaining({
        name: 'dns-standalone',
        kinds: ['authenticator'],
        source: 'plugins folder: certbot-dns-standalone 1.1 (trusted)',
      }),
    ]);
  });
});

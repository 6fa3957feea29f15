import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CertbotContainer, FolderPlugin } from '../../../src/certbot/certbot-container.js';
import { parseCertbotPlugins } from '../../../src/certbot/parse-certbot-plugins.js';
import type { DnsChallenge } from '../../../src/config/dns-challenge.js';
import { isCertkitError } from '../../../src/errors.js';
import { dnsCredentialProblems, runDnsPreflight } from '../../../src/update/dns-preflight.js';

const RFC2136: DnsChallenge = { type: 'dns', plugin: 'rfc2136', credentials: '/etc/certkit/rfc2136.ini', propagationSeconds: undefined };
const PRIVATE = { regular: true, dir: false, mode: 0o600, size: 200 };
const env = { AWS_ACCESS_KEY_ID: false, AWS_SECRET_ACCESS_KEY: false };
const PLUGINS = readFileSync(join(import.meta.dirname, '../../fixtures/certbot-plugins/certbot-5.5-dns-rfc2136.txt'), 'utf8');

/** A certbot container that reports these facts and lists these plugins (`certbot plugins` output). */
function certbot(file: object, pluginsOutput: string, folder: FolderPlugin[] = []): CertbotContainer {
  return {
    python: () => Promise.resolve(JSON.stringify({ env, file })),
    plugins: () => Promise.resolve(parseCertbotPlugins(pluginsOutput)),
    folderPlugins: () => Promise.resolve(folder),
  } as unknown as CertbotContainer;
}

async function preflightError(
  challenge: DnsChallenge,
  file: object,
  pluginsOutput: string,
  folder: FolderPlugin[] = [],
  trusted: string[] = [],
): Promise<readonly string[]> {
  try {
    await runDnsPreflight(certbot(file, pluginsOutput, folder), challenge, trusted);
    return [];
  } catch (error) {
    if (isCertkitError(error, 'CONFIG_INVALID')) return error.details;
    throw error;
  }
}

describe('the DNS-01 preflight', () => {
  it('passes with the plugin in the image and private credentials', async () => {
    expect(await preflightError(RFC2136, PRIVATE, PLUGINS)).toEqual([]);
  });

  it('names the official image when the plugin is missing', async () => {
    const withoutPlugin = PLUGINS.slice(PLUGINS.indexOf('* standalone'));
    expect(await preflightError(RFC2136, PRIVATE, withoutPlugin)).toEqual([
      'CERTBOT_IMAGE: the certbot image has no dns-rfc2136 plugin (its authenticators: standalone, webroot); set CERTBOT_IMAGE=certbot/dns-rfc2136:v5.1.0, the official image that carries it, then recreate certbot: docker compose --profile certbot up -d certbot',
    ]);
    expect((await preflightError({ ...RFC2136, plugin: 'standalone-x' }, PRIVATE, withoutPlugin))[0]).toMatch(
      /has no dns-standalone-x plugin .* use an image that carries the dns-standalone-x plugin/,
    );
  });

  it('refuses a plugin from the plugins folder until CERTBOT_TRUSTED_PLUGINS names it', async () => {
    const standalone: DnsChallenge = { type: 'dns', plugin: 'standalone', credentials: undefined, propagationSeconds: undefined };
    const folder = [{ name: 'dns-standalone', distribution: 'certbot-dns-standalone', version: '1.1' }];
    const imageOnly = PLUGINS.slice(PLUGINS.indexOf('* standalone'));
    expect(await preflightError(standalone, PRIVATE, imageOnly, folder)).toEqual([
      'CERTBOT_TRUSTED_PLUGINS: the plugins folder (CERTBOT_PLUGINS_DIR) holds dns-standalone (certbot-dns-standalone 1.1), but certkit lets certbot load a plugin from there only when you trust it: its code runs as root in the certbot container. If you trust its author, set CERTBOT_TRUSTED_PLUGINS=dns-standalone',
    ]);
    expect((await preflightError(standalone, PRIVATE, imageOnly, folder, ['dns-standalone']))[0]).toMatch(
      /^CERTBOT_PLUGINS_DIR: dns-standalone .* is in the plugins folder and trusted, but certbot could not load it/,
    );
    const loaded = `* dns-standalone\nDescription: Standalone DNS Authenticator\nInterfaces: Authenticator, Plugin\nEntry point: dns-standalone = certbot_dns_standalone.dns_standalone:Authenticator\n\n${imageOnly}`;
    expect(await preflightError(standalone, PRIVATE, loaded, folder, ['dns-standalone'])).toEqual([]);
  });

  it.each([
    [{ ...PRIVATE, mode: 0o644 }, 'has mode 0644, readable beyond its owner; on the host run: chmod 600 /etc/certkit/rfc2136.ini'],
    [{ regular: false, dir: false, mode: 0o666, size: 0 }, 'is not mounted in the certbot container'],
    [{ regular: false, dir: true, mode: 0o755, size: 0 }, 'is a folder in the certbot container: Docker made one'],
    [{ ...PRIVATE, size: 0 }, 'is empty in the certbot container'],
  ])('refuses credentials %j', (file, expected) => {
    const problems = dnsCredentialProblems(RFC2136, { env, file });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`CERTBOT_DNS_CREDENTIALS: "/etc/certkit/rfc2136.ini" ${expected}`);
  });

  it("checks route53's variables are set in the certbot container, never reading their values", () => {
    const route53: DnsChallenge = { type: 'dns', plugin: 'route53', credentials: undefined, propagationSeconds: undefined };
    expect(dnsCredentialProblems(route53, { env, file: { missing: 'x' } })).toEqual([
      expect.stringMatching(/^AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY: not set in the certbot container/),
    ]);
    const set = { AWS_ACCESS_KEY_ID: true, AWS_SECRET_ACCESS_KEY: true };
    expect(dnsCredentialProblems(route53, { env: set, file: { missing: 'x' } })).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import type { Version } from '../../../src/certbot/certbot-version.js';
import { planCertbotRun, type ExistingCertificate } from '../../../src/certbot/plan-certbot-run.js';
import { staleDnsSettings } from '../../../src/certbot/renewal-drift.js';
import { ACME_SERVERS } from '../../../src/config/acme-servers.js';
import { parseRenewalConf, type RenewalConf } from '../../../src/store/renewal-conf.js';
import { makeConfig } from '../support/make-config.js';

const DAY_MS = 86_400_000;
const NOW = new Date('2026-06-01T12:00:00Z');
const CERTBOT: Version = [5, 1, 0];
const DNS = {
  CERTBOT_DOMAIN: 'widgets.eu,*.widgets.eu',
  CERTBOT_CHALLENGE: 'dns',
  CERTBOT_DNS_PLUGIN: 'rfc2136',
  CERTBOT_DNS_CREDENTIALS: '/etc/certkit/rfc2136.ini',
  CERTBOT_IMAGE: 'certbot/dns-rfc2136:v5.1.0',
};

/** A renewal conf as certbot 5 writes it for a dns-rfc2136 lineage, with these [renewalparams] lines added. */
function dnsConf(...extra: string[]): RenewalConf {
  return parseRenewalConf(
    [
      'version = 5.1.0',
      'archive_dir = /etc/letsencrypt/archive/widgets.eu',
      '[renewalparams]',
      'account = 0123',
      'authenticator = dns-rfc2136',
      `server = ${ACME_SERVERS.production}`,
      'key_type = ecdsa',
      'dns_rfc2136_credentials = /etc/certkit/dns-credentials.ini',
      ...extra,
    ].join('\n'),
  );
}

function existing(ageDays: number, renewal: RenewalConf): ExistingCertificate {
  const notBefore = new Date(NOW.getTime() - ageDays * DAY_MS);
  return {
    domains: ['widgets.eu', '*.widgets.eu'],
    notBefore,
    notAfter: new Date(notBefore.getTime() + 90 * DAY_MS),
    serial: '01',
    renewal,
  };
}

describe('planning a DNS-01 run', () => {
  it('issues with the plugin as authenticator, its credentials at their container path, and no webroot', () => {
    const { action, argv } = planCertbotRun({
      config: makeConfig({ ...DNS, CERTBOT_DNS_PROPAGATION_SECONDS: '30' }),
      existing: undefined,
      certbot: CERTBOT,
      now: NOW,
    });
    expect(action).toBe('issue');
    const at = argv.indexOf('--authenticator');
    expect(argv.slice(at, at + 6)).toEqual([
      '--authenticator',
      'dns-rfc2136',
      '--dns-rfc2136-credentials',
      '/etc/certkit/dns-credentials.ini',
      '--dns-rfc2136-propagation-seconds',
      '30',
    ]);
    expect(argv).not.toContain('--webroot');
    expect(argv).not.toContain('-w');
    expect(argv.join(' ')).toContain('-d widgets.eu -d *.widgets.eu');
  });

  it('passes no credentials flag for route53 and no delay when none is set', () => {
    const { argv } = planCertbotRun({
      config: makeConfig({
        ...DNS,
        CERTBOT_DNS_PLUGIN: 'route53',
        CERTBOT_DNS_CREDENTIALS: '',
        CERTBOT_IMAGE: 'certbot/dns-route53:v5.1.0',
      }),
      existing: undefined,
      certbot: CERTBOT,
      now: NOW,
    });
    expect(argv[argv.indexOf('--authenticator') + 1]).toBe('dns-route53');
    expect(argv.filter((word) => word.startsWith('--dns-'))).toEqual([]);
  });

  it('renews a due DNS lineage with `certbot renew`, which reuses the saved plugin settings', () => {
    const result = planCertbotRun({ config: makeConfig(DNS), existing: existing(80, dnsConf()), certbot: CERTBOT, now: NOW });
    expect(result.action).toBe('renew');
    expect(result.argv[0]).toBe('renew');
    expect(result.argv).not.toContain('--authenticator');
  });

  it('keeps a DNS lineage that is not due', () => {
    expect(planCertbotRun({ config: makeConfig(DNS), existing: existing(10, dnsConf()), certbot: [2, 1, 0], now: NOW }).action).toBe(
      'keep',
    );
  });

  it('renews as certonly when the propagation delay changed, saying so', () => {
    const config = makeConfig({ ...DNS, CERTBOT_DNS_PROPAGATION_SECONDS: '120' });
    const result = planCertbotRun({
      config,
      existing: existing(80, dnsConf('dns_rfc2136_propagation_seconds = 30')),
      certbot: CERTBOT,
      now: NOW,
    });
    expect(result.argv[0]).toBe('certonly');
    expect(result.argv).toContain('--dns-rfc2136-propagation-seconds');
    expect(result.reasons).toContain('changes the DNS propagation delay from 30 to 120');
  });

  it('finds no stale DNS setting when the conf matches .env', () => {
    expect(
      staleDnsSettings(makeConfig({ ...DNS, CERTBOT_DNS_PROPAGATION_SECONDS: '30' }), dnsConf('dns_rfc2136_propagation_seconds = 30')),
    ).toEqual([]);
    expect(staleDnsSettings(makeConfig(DNS), dnsConf('dns_rfc2136_propagation_seconds = None'))).toEqual([]);
  });

  it('switches an HTTP-01 lineage to the DNS plugin (and back), saying so', () => {
    const webroot = parseRenewalConf('[renewalparams]\nauthenticator = webroot\nwebroot_path = /var/www/certbot,\n');
    const toDns = planCertbotRun({ config: makeConfig(DNS), existing: existing(10, webroot), certbot: CERTBOT, now: NOW });
    expect(toDns.action).toBe('reissue');
    expect(toDns.reasons).toContain('switches validation from webroot to dns-rfc2136');
    expect(toDns.argv).toContain('dns-rfc2136');
    const http = makeConfig({ CERTBOT_DOMAIN: 'widgets.eu' });
    const back = planCertbotRun({
      config: http,
      existing: { ...existing(10, dnsConf()), domains: ['widgets.eu'] },
      certbot: CERTBOT,
      now: NOW,
    });
    expect(back.reasons).toContain('switches validation from dns-rfc2136 to webroot');
    expect(back.argv).toContain('--webroot');
  });
});

import { describe, expect, it } from 'vitest';
import { adaptRenewalConf } from '../../../src/store/adapt-renewal-conf.js';
import { parseRenewalConf } from '../../../src/store/renewal-conf.js';
import { renderRenewalConf } from '../../fixtures/store-fixtures.js';

/** A conf as certbot writes it when run with --config-dir /srv/old/conf and a webroot of the old host. */
const elsewhere = (name: string): string =>
  renderRenewalConf(name, [name, `www.${name}`])
    .replaceAll('/etc/letsencrypt/', '/srv/old/conf/')
    .replace('[renewalparams]', '[renewalparams]\nconfig_dir = /srv/old/conf\nwork_dir = /srv/old/work\nlogs_dir = /srv/old/logs');

describe('adaptRenewalConf: a renewal conf from another host or config dir, for the certbot container', () => {
  it('points every file path under /etc/letsencrypt and certbot at its own dirs there', () => {
    const { text, changes } = adaptRenewalConf(elsewhere('a.test'), 'a.test');
    const conf = parseRenewalConf(text);
    expect(conf.paths).toEqual({
      cert: '/etc/letsencrypt/live/a.test/cert.pem',
      chain: '/etc/letsencrypt/live/a.test/chain.pem',
      fullchain: '/etc/letsencrypt/live/a.test/fullchain.pem',
      privkey: '/etc/letsencrypt/live/a.test/privkey.pem',
      archive_dir: '/etc/letsencrypt/archive/a.test',
    });
    expect(text).toMatch(/^config_dir = \/etc\/letsencrypt$/m);
    expect(text).toMatch(/^work_dir = \/var\/lib\/letsencrypt$/m);
    expect(text).toMatch(/^logs_dir = \/var\/log\/letsencrypt$/m);
    expect(text).not.toContain('/srv/old');
    expect(changes).toContain('cert: /srv/old/conf/live/a.test/cert.pem → /etc/letsencrypt/live/a.test/cert.pem');
  });

  it('validates through the shared webroot, with certkit deploy hook, and keeps account, server and key type', () => {
    const { text } = adaptRenewalConf(elsewhere('a.test'), 'a.test');
    const conf = parseRenewalConf(text);
    expect(conf).toMatchObject({
      authenticator: 'webroot',
      webrootPaths: ['/var/www/certbot'],
      deployHook: '/etc/certkit/certbot/deploy-hook.sh',
      account: '0123456789abcdef0123456789abcdef',
      server: 'https://acme-v02.api.letsencrypt.org/directory',
      keyType: 'ecdsa',
    });
    expect(text).toMatch(/^www\.a\.test = \/var\/www\/certbot$/m);
    // The hook lands in [renewalparams], before the nested [[webroot_map]] (configobj needs that order).
    expect(text.indexOf('renew_hook')).toBeGreaterThan(text.indexOf('[renewalparams]'));
    expect(text.indexOf('renew_hook')).toBeLessThan(text.indexOf('[[webroot_map]]'));
  });

  it('leaves a conf already in certkit layout unchanged but for the deploy hook', () => {
    const original = renderRenewalConf('a.test', ['a.test']).replaceAll('/var/www/html', '/var/www/certbot');
    const { text, changes } = adaptRenewalConf(original, 'a.test');
    expect(changes).toEqual(['renewalparams.renew_hook: added /etc/certkit/certbot/deploy-hook.sh']);
    expect(adaptRenewalConf(text, 'a.test').changes).toEqual([]);
  });

  it('switches standalone to webroot, replaces the old deploy hook, drops host hooks and the installer', () => {
    const original = renderRenewalConf('a.test', ['a.test'])
      .replace('authenticator = webroot', 'authenticator = standalone\ninstaller = nginx\npre_hook = systemctl stop nginx')
      .replace('webroot_path = /var/www/html,\n', 'renew_hook = systemctl reload nginx\npost_hook = systemctl start nginx\n')
      .replace(/\[\[webroot_map\]\][\s\S]*$/, '');
    const { text, changes } = adaptRenewalConf(original, 'a.test');
    const conf = parseRenewalConf(text);
    expect(conf).toMatchObject({
      authenticator: 'webroot',
      webrootPaths: ['/var/www/certbot'],
      deployHook: '/etc/certkit/certbot/deploy-hook.sh',
    });
    expect(text).not.toMatch(/systemctl/);
    expect(text).toMatch(/^installer = None$/m);
    expect(changes.filter((change) => change.includes('dropped'))).toHaveLength(2);
  });

  it('keeps a DNS authenticator as it is', () => {
    const original = renderRenewalConf('a.test', ['a.test']).replace('authenticator = webroot', 'authenticator = dns-cloudflare');
    expect(parseRenewalConf(adaptRenewalConf(original, 'a.test').text).authenticator).toBe('dns-cloudflare');
  });
});

import { describe, expect, it } from 'vitest';
import { parseRenewalConf } from '../../../src/store/renewal-conf.js';

const CONF = `# renew_before_expiry = 30 days
version = 2.1.0
archive_dir = /etc/letsencrypt/archive/example.com
cert = /etc/letsencrypt/live/example.com/cert.pem
privkey = /etc/letsencrypt/live/example.com/privkey.pem
chain = /etc/letsencrypt/live/example.com/chain.pem
fullchain = /etc/letsencrypt/live/example.com/fullchain.pem

# Options used in the renewal process
[renewalparams]
account = 0123456789abcdef0123456789abcdef
authenticator = webroot
webroot_path = /var/www/certbot,
server = https://acme-v02.api.letsencrypt.org/directory
key_type = ecdsa
elliptic_curve = secp384r1
renew_hook = /etc/certkit/certbot/deploy-hook.sh
[[webroot_map]]
example.com = /var/www/certbot
server = https://not-the-server.example/
`;

describe('parseRenewalConf', () => {
  it('reads the version, top-level paths and the renewal parameters certkit uses', () => {
    expect(parseRenewalConf(CONF)).toEqual({
      version: '2.1.0',
      server: 'https://acme-v02.api.letsencrypt.org/directory',
      authenticator: 'webroot',
      account: '0123456789abcdef0123456789abcdef',
      keyType: 'ecdsa',
      ellipticCurve: 'secp384r1',
      rsaKeySize: undefined,
      deployHook: '/etc/certkit/certbot/deploy-hook.sh',
      webrootPaths: ['/var/www/certbot'],
      webrootMap: { 'example.com': '/var/www/certbot', server: 'https://not-the-server.example/' },
      paramKeys: ['account', 'authenticator', 'webroot_path', 'server', 'key_type', 'elliptic_curve', 'renew_hook'],
      dnsParams: {},
      paths: {
        archive_dir: '/etc/letsencrypt/archive/example.com',
        cert: '/etc/letsencrypt/live/example.com/cert.pem',
        privkey: '/etc/letsencrypt/live/example.com/privkey.pem',
        chain: '/etc/letsencrypt/live/example.com/chain.pem',
        fullchain: '/etc/letsencrypt/live/example.com/fullchain.pem',
      },
    });
  });

  it('ignores keys in nested sections such as [[webroot_map]]', () => {
    expect(parseRenewalConf(CONF).server).toBe('https://acme-v02.api.letsencrypt.org/directory');
  });

  it('reads CRLF files the same way', () => {
    expect(parseRenewalConf(CONF.replace(/\n/g, '\r\n'))).toEqual(parseRenewalConf(CONF));
  });

  it('reads deploy_hook when there is no renew_hook, and RSA key sizes', () => {
    const conf = parseRenewalConf('[renewalparams]\nkey_type = rsa\nrsa_key_size = 4096\ndeploy_hook = /x.sh\n');
    expect(conf).toMatchObject({ keyType: 'rsa', rsaKeySize: '4096', deployHook: '/x.sh', version: undefined, paths: {} });
  });

  it('returns nothing but empty fields for an empty file', () => {
    expect(parseRenewalConf('')).toEqual({
      paramKeys: [],
      dnsParams: {},
      version: undefined,
      server: undefined,
      authenticator: undefined,
      account: undefined,
      keyType: undefined,
      ellipticCurve: undefined,
      rsaKeySize: undefined,
      deployHook: undefined,
      webrootPaths: [],
      webrootMap: {},
      paths: {},
    });
  });
});

import { describe, expect, it } from 'vitest';
import { standaloneCertonlyArgv } from '../../../src/certbot/certbot-argv.js';
import { buildRenderContext } from '../../../src/render/render-context.js';
import { makeConfig } from '../support/make-config.js';

describe('buildRenderContext', () => {
  it('gives templates the certificate, paths, certbot arguments and nginx values', () => {
    const config = makeConfig({
      CERTBOT_DOMAIN: 'widgets.eu,www.widgets.eu',
      CERTBOT_CERT_NAME: 'site',
      NGINX_UPSTREAM: 'http://web:3000',
    });
    expect(buildRenderContext(config)).toEqual({
      certName: 'site',
      domains: ['widgets.eu', 'www.widgets.eu'],
      paths: {
        letsencrypt: '/etc/letsencrypt',
        webroot: '/var/www/certbot',
        deploy: '/etc/certkit/deploy',
        certbotScripts: '/etc/certkit/certbot',
        nginxConfig: '/etc/certkit/nginx',
        dnsCredentials: '/etc/certkit/dns-credentials.ini',
        plugins: '/opt/certkit/plugins',
        deployHook: '/etc/certkit/certbot/deploy-hook.sh',
        deployDir: '/etc/certkit/deploy/site',
        lock: '/tmp/certkit.lock',
      },
      certbot: { certonlyArgv: standaloneCertonlyArgv(config), pythonPath: '' },
      deploy: { ...config.deploy, keyReaderGid: 10443 },
      configStamp: { path: '/.well-known/acme-challenge/certkit-config', value: 'certkit-config-stamp-placeholder' },
      nginx: {
        serverNames: 'widgets.eu www.widgets.eu',
        redirectPort: '',
        upstream: 'http://web:3000',
        routes: [{ path: '/', upstream: 'http://web:3000' }],
        hasRootRoute: true,
        hstsMaxAge: 0,
        sslProtocols: 'TLSv1.2 TLSv1.3',
        clientMaxBodySize: '100M',
        bundle: '/etc/certkit/deploy/site/bundle.pem',
        httpsSwitchGlob: '/etc/certkit/deploy/site/nginx-https*.conf',
        isDefault: true,
        ownHttpServer: true,
        ownProxySettings: true,
        serverNamesHash: { maxSize: 512, bucketSize: 128 },
        tlsCurrent: '',
      },
    });
  });

  it('names the HTTPS port in redirects only when it is not 443', () => {
    expect(buildRenderContext(makeConfig({ NGINX_HTTPS_PORT: '8443' }))).toMatchObject({ nginx: { redirectPort: ':8443' } });
    expect(buildRenderContext(makeConfig({ NGINX_HTTPS_PORT: '443' }))).toMatchObject({ nginx: { redirectPort: '' } });
  });

  it('gives an empty upstream (the placeholder page) when none is set', () => {
    expect(buildRenderContext(makeConfig())).toMatchObject({ nginx: { upstream: '' } });
  });
});

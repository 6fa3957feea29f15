import { describe, expect, it } from 'vitest';
import type { Site } from '../../../src/sites/site.js';
import { renderSwarmNginx } from '../../../src/swarm/render-swarm-nginx.js';

const site = (id: string, names: string[], routes: Site['routes'] = []): Site => ({
  id,
  certName: id,
  names,
  routes,
  challenge: { type: 'http' },
  profile: undefined,
  keyType: { type: 'ecdsa', curve: 'secp256r1' },
  sources: [{ kind: 'env', file: '.env' }],
});

describe('renderSwarmNginx', () => {
  it('gives each site a server on 443 whose TLS include the entrypoint writes from the stable secret name', async () => {
    const conf = await renderSwarmNginx([
      site('env', ['a.test', 'www.a.test']),
      site('wiki', ['wiki.test'], [{ path: '/', upstream: 'http://wiki:3000' }]),
    ]);
    expect(conf).toContain('server_name a.test www.a.test;');
    expect(conf).toContain('include /run/certkit-swarm/tls-env.conf;');
    expect(conf).toContain('include /run/certkit-swarm/tls-wiki.conf;');
    expect(conf).toContain('set $certkit_upstream http://wiki:3000;');
    // The wiki routes / itself; the env site answers with certkit's page.
    expect(conf.match(/location \/ \{/g)).toHaveLength(3);
    expect(conf).toContain('return 200 "certkit on Swarm: site env is served\\n";');
  });

  it('proxies the ACME challenge to the responder and refuses handshakes for names of no site', async () => {
    const conf = await renderSwarmNginx([site('env', ['a.test'])]);
    expect(conf).toContain('set $certkit_acme http://acme-responder:8080;');
    expect(conf).toMatch(/listen 443 ssl http2 default_server;\s+ssl_reject_handshake on;/);
  });

  it('is the same for every version of a certificate: nothing in it names a secret version', async () => {
    const conf = await renderSwarmNginx([site('env', ['a.test'])]);
    // Comments aside: no directive names a secret, whose name changes with each version.
    const directives = conf.split('\n').filter((line) => !line.trim().startsWith('#'));
    expect(directives.join('\n')).not.toMatch(/\/run\/secrets\/|[0-9a-f]{12}/);
  });

  it("includes the entrypoint's lines for this nginx's version by a pattern, so an older entrypoint's task still starts", async () => {
    const conf = await renderSwarmNginx([site('env', ['a.test'])]);
    // keepalive_min_timeout exists from nginx 1.27.4 only: the entrypoint writes it where nginx has it.
    const directives = conf.split('\n').filter((line) => !line.trim().startsWith('#'));
    expect(directives.join('\n')).not.toContain('keepalive_min_timeout');
    expect(conf).toMatch(/^ {4}include \/run\/certkit-swarm\/http-version\*\.conf;$/m);
  });

  it('refuses a name that would break a directive', async () => {
    await expect(renderSwarmNginx([site('env', ['a.test;evil'])])).rejects.toThrow(/not safe in an nginx directive/);
  });
});

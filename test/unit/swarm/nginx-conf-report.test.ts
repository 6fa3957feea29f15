import { describe, expect, it } from 'vitest';
import { nginxConfReport, noNginxConf } from '../../../src/swarm/nginx-conf-report.js';

const base = { stack: 'shop', service: 'shop_nginx' };

describe('render on Swarm: the rendering against what the nginx service runs', () => {
  it('says the service runs this rendering, naming its config version', () => {
    expect(nginxConfReport({ ...base, rendered: 'a\n', running: { name: 'shop-nginx-0123', text: 'a\n' } })).toEqual([
      'shop_nginx runs this rendering (config shop-nginx-0123)',
    ]);
  });

  it('shows the lines that differ and what rolls the rendering out', () => {
    const lines = nginxConfReport({ ...base, rendered: 'a\nserver app;\n', running: { name: 'certkit-nginx-conf-1', text: 'a\n' } });
    expect(lines).toEqual([
      'shop_nginx runs config certkit-nginx-conf-1, which differs from this rendering (- what runs, + the rendering):',
      '  @@ line 1 @@',
      '   a',
      '  +server app;',
      expect.stringMatching(/^`certkit update` \(or the daemon's next check\) rolls the rendering out as a new config version of shop;/),
    ]);
  });

  it('names why nothing was compared: no nginx.conf mounted, with the deploy to run', () => {
    expect(nginxConfReport({ ...base, rendered: 'a\n', running: noNginxConf('shop_nginx', 'shop') })).toEqual([
      'what shop_nginx runs was not compared: shop_nginx mounts no config at /etc/certkit/swarm/nginx.conf: deploy the stack (`docker stack deploy -c compose.swarm.yaml shop`)',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { collectSites } from '../../../src/sites/collect-sites.js';
import { describeRefusal } from '../../../src/sites/site.js';
import { stackServiceDeclarations } from '../../../src/swarm/stack-sites.js';
import type { StackService } from '../../../src/swarm/swarm-api.js';

const service = (short: string, labels: Record<string, string>): StackService => ({
  id: `id-${short}`,
  name: `shop_${short}`,
  short,
  labels,
});
const defaults = { keyType: { type: 'ecdsa', curve: 'secp256r1' } as const, profile: undefined, dns: undefined };

describe('sites from the deploy.labels of a stack’s services', () => {
  it('reads certkit labels as on Compose, the upstream being the service’s full name', () => {
    const found = stackServiceDeclarations('shop', [
      service('nginx', {}),
      service('web', { 'certkit.host': 'shop.widgets.eu', 'certkit.port': '3000' }),
      service('api', { 'certkit.host': 'api.widgets.eu', 'certkit.port': '5001', 'certkit.site': 'api' }),
    ]);
    const { sites, refused } = collectSites(undefined, found, defaults);
    expect(refused).toEqual([]);
    expect(sites.map((site) => [site.id, site.names, site.routes])).toEqual([
      ['api', ['api.widgets.eu'], [{ path: '/', upstream: 'http://shop_api:5001' }]],
      ['shop-web', ['shop.widgets.eu'], [{ path: '/', upstream: 'http://shop_web:3000' }]],
    ]);
    expect(describeRefusal).toBeDefined();
  });

  it('refuses a bad label for its site alone, naming the service, the label and the value', () => {
    const found = stackServiceDeclarations('shop', [
      service('web', { 'certkit.host': 'shop.widgets.eu', 'certkit.port': '3000' }),
      service('wiki', { 'certkit.host': 'wiki.widgets.eu', 'certkit.prot': '80' }),
    ]);
    const { sites, refused } = collectSites(undefined, found, defaults);
    expect(sites.map((site) => site.id)).toEqual(['shop-web']);
    expect(refused.map(describeRefusal)).toEqual([
      expect.stringMatching(/service wiki of project shop .*certkit\.prot="80".*did you mean certkit\.port/),
    ]);
  });

  it('refuses a site without a port: the service list shows none', () => {
    const { refused } = collectSites(
      undefined,
      stackServiceDeclarations('shop', [service('web', { 'certkit.host': 'shop.widgets.eu' })]),
      defaults,
    );
    expect(refused.map(describeRefusal)).toEqual([expect.stringMatching(/certkit\.port.*set certkit\.port/)]);
  });
});

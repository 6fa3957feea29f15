import { describe, expect, it } from 'vitest';
import type { PublishedPort, ServiceContainer } from '../../../src/docker/engine.js';
import { chooseProbeTarget } from '../../../src/nginx/probe-target.js';

function container(networks: Record<string, string>, ports: PublishedPort[] = []): ServiceContainer {
  return { id: 'id', name: 'name', project: 'shop', service: 'nginx', running: true, state: 'running', networks, ports, labels: {} };
}
const https = (hostIp: string, hostPort: number, protocol = 'tcp'): PublishedPort => ({ containerPort: 443, protocol, hostIp, hostPort });

describe('chooseProbeTarget inside the stack (certkit runs in a container)', () => {
  it("uses nginx's address on a network certkit shares, on port 443", () => {
    const nginx = container({ shop_public: '172.20.0.3', shop_backend: '172.21.0.5' }, [https('0.0.0.0', 8443)]);
    const self = container({ shop_backend: '172.21.0.9' });
    expect(chooseProbeTarget(nginx, self)).toEqual({ host: '172.21.0.5', port: 443 });
  });

  it('finds no target when no network is shared (the published port is not reachable from there)', () => {
    const nginx = container({ shop_public: '172.20.0.3' }, [https('0.0.0.0', 443)]);
    expect(chooseProbeTarget(nginx, container({ other: '10.0.0.2' }))).toBeUndefined();
  });
});

describe('chooseProbeTarget on the host', () => {
  it.each([
    ['0.0.0.0', '127.0.0.1'],
    ['', '127.0.0.1'],
    ['::', '::1'],
    ['192.0.2.10', '192.0.2.10'],
  ])('reaches a port published on %j at %j', (hostIp, host) => {
    expect(chooseProbeTarget(container({ shop_default: '172.20.0.3' }, [https(hostIp, 8443)]), undefined)).toEqual({ host, port: 8443 });
  });

  it('ignores UDP and other container ports', () => {
    const nginx = container({ shop_default: '172.20.0.3' }, [
      https('0.0.0.0', 443, 'udp'),
      { containerPort: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 80 },
    ]);
    expect(chooseProbeTarget(nginx, undefined)).toEqual({ host: '172.20.0.3', port: 443 });
  });

  it("falls back to nginx's container address when 443 is not published", () => {
    expect(chooseProbeTarget(container({ shop_default: '172.20.0.3' }), undefined)).toEqual({ host: '172.20.0.3', port: 443 });
  });

  it('finds no target without a published port or an address', () => {
    expect(chooseProbeTarget(container({}), undefined)).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { decideUpdateOrder, hostModePorts } from '../../../src/swarm/update-order.js';

const spec = (
  ...ports: Array<{ PublishMode?: 'host' | 'ingress'; PublishedPort?: number; TargetPort?: number; Protocol?: 'tcp' | 'udp' }>
) => ({
  EndpointSpec: { Ports: ports },
});

describe('decideUpdateOrder: start-first unless a port is published in host mode', () => {
  it('rolls start-first through the routing mesh (no EndpointSpec, ingress ports), at the service’s parallelism', () => {
    expect(decideUpdateOrder('st_nginx', {})).toEqual({ order: 'start-first', parallelism: undefined, hostPorts: [], warning: undefined });
    expect(
      decideUpdateOrder(
        'st_nginx',
        spec({ PublishMode: 'ingress', PublishedPort: 443, TargetPort: 443 }, { PublishedPort: 80, TargetPort: 80 }),
      ).order,
    ).toBe('start-first');
  });

  it('rolls stop-first, one task at a time, with a warning naming the service, the ports, the cost and the fix', () => {
    const decision = decideUpdateOrder(
      'st_nginx',
      spec(
        { PublishMode: 'host', PublishedPort: 443, TargetPort: 443, Protocol: 'tcp' },
        { PublishMode: 'ingress', PublishedPort: 80, TargetPort: 80 },
      ),
    );
    expect(decision).toMatchObject({ order: 'stop-first', parallelism: 1, hostPorts: [{ published: 443, target: 443, protocol: 'tcp' }] });
    expect(decision.warning).toMatch(/^service st_nginx publishes 443:443\/tcp in host mode/);
    expect(decision.warning).toMatch(/stop-first, one task at a time; each replica's connections drop/);
    expect(decision.warning).toMatch(/`mode: ingress`/);
  });

  it('reads every host-mode port, a published port Swarm picks included', () => {
    expect(
      hostModePorts(
        spec({ PublishMode: 'host', TargetPort: 80 }, { PublishMode: 'host', PublishedPort: 8443, TargetPort: 443, Protocol: 'udp' }),
      ),
    ).toEqual([
      { published: 0, target: 80, protocol: 'tcp' },
      { published: 8443, target: 443, protocol: 'udp' },
    ]);
    expect(decideUpdateOrder('s', spec({ PublishMode: 'host', TargetPort: 80 })).warning).toMatch(/publishes \(any\):80\/tcp/);
  });
});

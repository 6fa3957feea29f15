import type Docker from 'dockerode';

/**
 * Pure: the order of a rolling update of the nginx service. certkit rolls start-first (a replica's new task serves
 * before its old one stops, so no connection is refused); a port published in `mode: host` makes that impossible: the
 * new task cannot bind the port its old task holds on the same node, and Swarm waits for it forever ("host-mode port
 * already in use"). Such a service is rolled stop-first, one task at a time, and the cost is said.
 */

export interface HostPort {
  published: number;
  target: number;
  protocol: string;
}

export type UpdateOrder = 'start-first' | 'stop-first';

export interface OrderDecision {
  order: UpdateOrder;
  /** One task at a time (stop-first); undefined: the service's own update_config.parallelism (at least 1). */
  parallelism: number | undefined;
  hostPorts: HostPort[];
  /** Said at every rollout of such a service (the cost is paid at each). */
  warning: string | undefined;
}

/** The ports the service publishes on each node's own address (`mode: host`), not through the routing mesh. */
export function hostModePorts(spec: Pick<Docker.ServiceSpec, 'EndpointSpec'>): HostPort[] {
  return (spec.EndpointSpec?.Ports ?? [])
    .filter((port) => port.PublishMode === 'host')
    .map((port) => ({ published: port.PublishedPort ?? 0, target: port.TargetPort ?? 0, protocol: port.Protocol ?? 'tcp' }));
}

export function decideUpdateOrder(service: string, spec: Pick<Docker.ServiceSpec, 'EndpointSpec'>): OrderDecision {
  const hostPorts = hostModePorts(spec);
  if (hostPorts.length === 0) return { order: 'start-first', parallelism: undefined, hostPorts, warning: undefined };
  const ports = hostPorts.map((port) => `${port.published === 0 ? '(any)' : port.published}:${port.target}/${port.protocol}`).join(', ');
  return {
    order: 'stop-first',
    parallelism: 1,
    hostPorts,
    warning:
      `service ${service} publishes ${ports} in host mode: a new task cannot bind the port while the old one holds it, ` +
      `so certkit rolls it stop-first, one task at a time; each replica's connections drop and new ones are refused ` +
      `during its restart (a few seconds per replica, at every rotation). To rotate without that, publish the ports ` +
      `through the routing mesh (\`mode: ingress\`, the default; docs/swarm.md, "Host-mode ports")`,
  };
}

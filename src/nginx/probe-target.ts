import type { ServiceContainer } from '../docker/engine.js';
import { addressOnSharedNetwork } from '../stack/shared-network.js';

export interface ProbeTarget {
  host: string;
  port: number;
}

/**
 * Where certkit can reach a port of a container (nginx's HTTPS port by default): inside the stack, its address on a
 * network certkit's own container shares; on the host, the published port (a wildcard bind is reached on loopback),
 * else the container's address.
 */
export function chooseProbeTarget(
  container: ServiceContainer,
  self: ServiceContainer | undefined,
  containerPort = 443,
): ProbeTarget | undefined {
  if (self) {
    const address = addressOnSharedNetwork(container, self);
    return address ? { host: address, port: containerPort } : undefined;
  }
  const published = container.ports.find((port) => port.containerPort === containerPort && port.protocol === 'tcp' && port.hostPort > 0);
  if (published) {
    const host =
      published.hostIp === '' || published.hostIp === '0.0.0.0' ? '127.0.0.1' : published.hostIp === '::' ? '::1' : published.hostIp;
    return { host, port: published.hostPort };
  }
  const address = Object.values(container.networks)[0];
  return address ? { host: address, port: containerPort } : undefined;
}

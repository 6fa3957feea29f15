import type { ServiceContainer } from '../docker/engine.js';
import { addressOnSharedNetwork } from '../stack/shared-network.js';

export interface ProbeTarget {
  host: string;
  port: number;
}

/**
 * Where certkit can reach nginx's HTTPS port: inside the stack, nginx's address on a network certkit's own container
 * shares; on the host, the published port (a wildcard bind is reached on loopback), else nginx's container address.
 */
export function chooseProbeTarget(nginx: ServiceContainer, self: ServiceContainer | undefined): ProbeTarget | undefined {
  if (self) {
    const address = addressOnSharedNetwork(nginx, self);
    return address ? { host: address, port: 443 } : undefined;
  }
  const published = nginx.ports.find((port) => port.containerPort === 443 && port.protocol === 'tcp' && port.hostPort > 0);
  if (published) {
    const host =
      published.hostIp === '' || published.hostIp === '0.0.0.0' ? '127.0.0.1' : published.hostIp === '::' ? '::1' : published.hostIp;
    return { host, port: published.hostPort };
  }
  const address = Object.values(nginx.networks)[0];
  return address ? { host: address, port: 443 } : undefined;
}

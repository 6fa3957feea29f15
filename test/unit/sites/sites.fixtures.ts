import type { ServiceContainer } from '../../../src/docker/engine.js';

/** A container of another app, as the container list shows it: labels, name, exposed ports. */
export function appContainer(service: string, labels: Record<string, string>, extra: Partial<ServiceContainer> = {}): ServiceContainer {
  return {
    id: `${service}-id`,
    name: `shop-${service}-1`,
    project: 'shop',
    service,
    running: true,
    state: 'running',
    networks: {},
    ports: [],
    exposedPorts: [3000],
    labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': service, ...labels },
    ...extra,
  };
}

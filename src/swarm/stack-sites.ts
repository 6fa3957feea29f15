import type { ServiceContainer } from '../docker/engine.js';
import type { SiteDeclaration } from '../sites/declaration.js';
import { readSiteLabels } from '../sites/site-labels.js';
import type { SiteRefusal } from '../sites/site.js';
import type { StackService } from './swarm-api.js';

/**
 * Pure: the sites a Swarm stack's services announce by `deploy.labels` (a service's Spec.Labels), read with the same
 * label rules as a Compose container's: a bad label refuses that site alone. The upstream is the service's full name
 * (`STACK_app`), which Swarm's DNS resolves on the stack's network; the service list shows no exposed port, so a site
 * names its port (`certkit.port`).
 */
export function stackServiceDeclarations(stack: string, services: readonly StackService[]): Array<SiteDeclaration | SiteRefusal> {
  return [...services]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((service) => readSiteLabels(asContainer(stack, service)))
    .filter((entry): entry is SiteDeclaration | SiteRefusal => entry !== undefined);
}

function asContainer(stack: string, service: StackService): ServiceContainer {
  return {
    id: service.id,
    name: service.name,
    project: stack,
    service: service.short,
    running: true,
    state: 'running',
    networks: {},
    ports: [],
    exposedPorts: [],
    labels: service.labels,
  };
}

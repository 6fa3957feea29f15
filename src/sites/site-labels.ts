import { closestName } from '../config/closest-name.js';
import type { ServiceContainer } from '../docker/engine.js';
import { isSiteSetting, SITE_SETTINGS, type SiteDeclaration, type SiteSetting, type WrittenSetting } from './declaration.js';
import type { SiteRefusal, SiteSource } from './site.js';

/** Every certkit label starts so; `certkit.host` is the one that makes a container a site. */
export const LABEL_PREFIX = 'certkit.';
export const HOST_LABEL = `${LABEL_PREFIX}host`;

const FILE_ONLY: readonly SiteSetting[] = ['upstream', 'routes'];

/**
 * Reads one container's certkit labels into a declaration, or the refusal of the first label that cannot be read
 * (an unknown `certkit.*` label is refused with the closest known one: a typo would otherwise be ignored silently).
 * Returns undefined for a container without `certkit.host` or with `certkit.enable=false`.
 */
export function readSiteLabels(container: ServiceContainer): SiteDeclaration | SiteRefusal | undefined {
  const host = container.labels[HOST_LABEL];
  const enable = container.labels[`${LABEL_PREFIX}enable`];
  if (host === undefined || /^(false|0|no|off)$/i.test(enable?.trim() ?? '')) return undefined;
  const source: SiteSource = { kind: 'label', container: container.name, project: container.project, service: container.service };
  const site = container.labels[`${LABEL_PREFIX}site`];
  const settings: Partial<Record<SiteSetting, WrittenSetting>> = {};
  for (const [key, value] of Object.entries(container.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!key.startsWith(LABEL_PREFIX)) continue;
    const name = key.slice(LABEL_PREFIX.length);
    const refuse = (problem: string): SiteRefusal => ({ site: site?.trim() || undefined, source, key, value, problem });
    if (!isSiteSetting(name)) {
      const near = closestName(name, Object.keys(SITE_SETTINGS));
      return refuse(
        `is not a certkit label${near ? `; did you mean ${LABEL_PREFIX}${near}?` : ''} (known: ${Object.keys(SITE_SETTINGS)
          .map((known) => LABEL_PREFIX + known)
          .join(', ')})`,
      );
    }
    if (FILE_ONLY.includes(name)) {
      return refuse(
        `is for the sites file, where the upstream is not a container; on a service, set ${LABEL_PREFIX}port (and ${LABEL_PREFIX}path for a route)`,
      );
    }
    settings[name] = { key, value };
  }
  return {
    site:
      site !== undefined ? { key: `${LABEL_PREFIX}site`, value: site } : { key: `${LABEL_PREFIX}site`, value: defaultSiteName(container) },
    source,
    settings,
    container: { name: container.name, exposedPorts: container.exposedPorts ?? [] },
  };
}

/** A site without `certkit.site` is named after its service and project, so two apps' `web` services never collide. */
export function defaultSiteName(container: Pick<ServiceContainer, 'name' | 'project' | 'service'>): string {
  const raw = container.service ? `${container.project ? `${container.project}-` : ''}${container.service}` : container.name;
  return raw
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '');
}

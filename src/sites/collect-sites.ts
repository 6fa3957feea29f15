import type { SiteDeclaration } from './declaration.js';
import { describeSource, type Site, type SiteRefusal } from './site.js';
import { validateSite, type SiteDefaults } from './validate-site.js';

export interface SiteSet {
  /** Every site certkit serves, `.env`'s first, then the sites file's in file order, then labelled ones by name. */
  sites: Site[];
  /** Declarations left out, each alone: every other site is issued and served as usual. */
  refused: SiteRefusal[];
}

/**
 * All declarations → the sites certkit serves. Declarations with the same site name (services each bringing a route)
 * make one site. A site is refused, alone, when its settings are wrong, when its name is declared in two kinds of
 * place, or when one of its names already belongs to a site that comes first (.env, then the file, then labelled
 * sites that have a certificate, then the others by name): a name is never on two certificates.
 */
export function collectSites(
  envSite: Site | undefined,
  found: ReadonlyArray<SiteDeclaration | SiteRefusal>,
  defaults: SiteDefaults,
  /** Lineages already in the store: a labelled site that has its certificate comes before one that has none. */
  lineages: ReadonlySet<string> = new Set(),
): SiteSet {
  const refused: SiteRefusal[] = found.filter((entry): entry is SiteRefusal => !('settings' in entry));
  const declarations = found.filter((entry): entry is SiteDeclaration => 'settings' in entry);
  const groups = new Map<string, SiteDeclaration[]>();
  for (const declaration of declarations) {
    const name = declaration.site.value.trim();
    groups.set(name, [...(groups.get(name) ?? []), declaration]);
  }
  // The file in its own order; then labelled sites, those holding a certificate first (a name stays where it is served).
  const rank = ([name, group]: [string, SiteDeclaration[]]) => (group[0]?.source.kind === 'file' ? 0 : lineages.has(name) ? 1 : 2);
  const ordered = [...groups.entries()].sort((a, b) => rank(a) - rank(b) || (rank(a) === 0 ? 0 : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

  const sites: Site[] = envSite ? [envSite] : [];
  const owner = new Map<string, Site>();
  for (const name of envSite?.names ?? []) owner.set(name, envSite as Site);
  for (const [name, group] of ordered) {
    const first = group[0] as SiteDeclaration;
    const kinds = new Set(group.map((declaration) => declaration.source.kind));
    if (kinds.size > 1) {
      const file = group.find((declaration) => declaration.source.kind === 'file') as SiteDeclaration;
      for (const declaration of group.filter((d) => d.source.kind !== 'file')) {
        refused.push({
          site: name,
          source: declaration.source,
          key: declaration.site.key,
          value: declaration.site.value,
          problem: `names a site the sites file declares (${describeSource(file.source)}); a site is declared in one place: rename one of them`,
        });
      }
      group.splice(0, group.length, ...group.filter((d) => d.source.kind === 'file'));
    }
    if (envSite && name === envSite.id) {
      for (const declaration of group) {
        refused.push({
          site: name,
          source: declaration.source,
          key: declaration.site.key,
          value: declaration.site.value,
          problem: `is the name of the site .env declares (its certificate lineage); choose another site name`,
        });
      }
      continue;
    }
    const site = validateSite(group, defaults);
    if (Array.isArray(site)) {
      refused.push(...site);
      continue;
    }
    const clash = site.names.find((entry) => owner.has(entry));
    if (clash !== undefined) {
      const holder = owner.get(clash) as Site;
      refused.push({
        site: name,
        source: first.source,
        key: first.settings.host?.key ?? 'host',
        value: first.settings.host?.value ?? '',
        problem: `claims ${clash}, which site ${holder.id} (${holder.sources.map(describeSource).join(', ')}) already serves; a name is on one certificate only: remove it here or there`,
      });
      continue;
    }
    for (const entry of site.names) owner.set(entry, site);
    sites.push(site);
  }
  return { sites, refused };
}

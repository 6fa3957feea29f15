import type { StatusEntry } from '../store/status-entries.js';
import type { SiteSet } from './collect-sites.js';
import { describeRefusal, describeSource } from './site.js';

/** `certkit status` on a stack: a row per certificate and per site, and what is wrong with the declarations. */
export interface SiteStatus {
  /** The store's certificates, each with its site (or none), then a row for each site that has no certificate yet. */
  entries: StatusEntry[];
  /** Refused declarations: a site someone declared that nothing serves. */
  refusals: string[];
}

/**
 * Joins the store's certificates with the declared sites (pure). A site without a certificate is a row with its
 * problem, so status never says fine while a declared site is not served; a site whose names differ from its
 * certificate's says so until the reissue. A certificate of no site (a site removed, kept in the store) is listed
 * without a site, and what nginx serves for it is no longer asked: nothing should serve it.
 */
export function attachSites(entries: readonly StatusEntry[], set: SiteSet): SiteStatus {
  const siteOf = new Map(set.sites.map((site) => [site.certName, site]));
  const rows: StatusEntry[] = entries.map((entry) => {
    const site = siteOf.get(entry.name);
    if (!site) {
      const problems = entry.problems.filter((problem) => !problem.startsWith('nginx serves '));
      return { ...entry, site: null, served: null, ready: false, problems };
    }
    const added = site.names.filter((name) => !entry.domains.includes(name));
    const removed = entry.domains.filter((name) => !site.names.includes(name));
    const problems = [...entry.problems];
    if (added.length > 0 || removed.length > 0) {
      const change = [...added.map((name) => `+${name}`), ...removed.map((name) => `-${name}`)].join(' ');
      problems.push(
        `site ${site.id} now declares other names (${change}): the next check reissues the certificate on the same lineage, or run \`certkit update ${site.id}\``,
      );
    }
    return { ...entry, site: site.id, problems };
  });
  const issued = new Set(entries.map((entry) => entry.name));
  for (const site of set.sites) {
    if (issued.has(site.certName)) continue;
    rows.push({
      name: site.certName,
      site: site.id,
      domains: site.names,
      notBefore: null,
      notAfter: null,
      renewalAt: null,
      daysLeft: null,
      serial: null,
      issuer: null,
      keyType: null,
      profile: null,
      versions: 0,
      live: 'missing',
      deployed: 'missing',
      served: null,
      ready: false,
      problems: [
        `site ${site.id} (declared in ${site.sources.map(describeSource).join('; ')}) has no certificate yet: the next check issues it, or run \`certkit update ${site.id}\`; \`certkit sites\` says what it waits for`,
      ],
    });
  }
  return { entries: rows, refusals: set.refused.map(describeRefusal) };
}

import type { Site } from './site.js';

/** What the store holds for one lineage, as far as deciding a site's work needs. */
export interface LineageState {
  certName: string;
  names: string[];
  serial: string | undefined;
  notAfter: Date | undefined;
}

/** The work one site needs, decided from the store alone; renewal timing is decided under the lock by the planner. */
export type SiteWork =
  | { kind: 'issue'; site: Site }
  | { kind: 'change-names'; site: Site; lineage: LineageState; added: string[]; removed: string[] }
  | { kind: 'check'; site: Site; lineage: LineageState };

/** A lineage no site declares any more: kept in the store, served until `serveUntil`, then left out of nginx. */
export interface Retired {
  lineage: LineageState;
  /** When certkit last saw a site declare it; undefined for a lineage no site of this stack ever declared. */
  lastSeen: Date | undefined;
  serveUntil: Date | undefined;
}

export interface Reconciled {
  work: SiteWork[];
  retired: Retired[];
  /** `lastSeen` to keep for the next pass: every current site seen now, retired ones as they were. */
  seen: Record<string, string>;
}

/** How long a site whose declaration is gone (its container stopped) keeps being served: a restart or a redeploy. */
export const DEFAULT_RETIRE_GRACE_MS = 24 * 3_600_000;

/**
 * Compares the sites with the store: a site without a lineage is issued, one whose names differ is reissued on the
 * same lineage (names added or removed), the others are checked for renewal. A lineage no site declares is retired:
 * its files stay (nothing issued is ever deleted here), and it is served for `graceMs` after its site was last seen.
 */
export function reconcile(input: {
  sites: readonly Site[];
  lineages: readonly LineageState[];
  seen: Readonly<Record<string, string>>;
  now: Date;
  graceMs: number;
}): Reconciled {
  const byName = new Map(input.lineages.map((lineage) => [lineage.certName, lineage]));
  const seen: Record<string, string> = {};
  const work: SiteWork[] = input.sites.map((site) => {
    seen[site.certName] = input.now.toISOString();
    const lineage = byName.get(site.certName);
    if (!lineage) return { kind: 'issue', site };
    const added = site.names.filter((name) => !lineage.names.includes(name));
    const removed = lineage.names.filter((name) => !site.names.includes(name));
    return added.length > 0 || removed.length > 0
      ? { kind: 'change-names', site, lineage, added, removed }
      : { kind: 'check', site, lineage };
  });
  const declared = new Set(input.sites.map((site) => site.certName));
  const retired = input.lineages
    .filter((lineage) => !declared.has(lineage.certName))
    .map((lineage): Retired => {
      const last = input.seen[lineage.certName];
      const lastSeen = last !== undefined && !Number.isNaN(Date.parse(last)) ? new Date(last) : undefined;
      if (last !== undefined) seen[lineage.certName] = last;
      return { lineage, lastSeen, serveUntil: lastSeen ? new Date(lastSeen.getTime() + input.graceMs) : undefined };
    });
  return { work, retired, seen };
}

/** Whether nginx still serves a retired lineage at `now`. */
export function stillServed(retired: Retired, now: Date): boolean {
  return retired.serveUntil !== undefined && now.getTime() < retired.serveUntil.getTime();
}

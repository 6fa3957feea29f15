import type { StatusEntry } from '../store/status-entries.js';
import type { SiteSet } from './collect-sites.js';
import { describeRefusal, describeSource } from './site.js';

/** One line of `certkit sites`: a site, where it was declared and what it waits for (or a refused declaration). */
export interface SiteRow {
  site: string;
  names: string[];
  declaredIn: string[];
  /**
   * serving, waiting for its first certificate, names changed (reissue at the next run), or refused; on Swarm also
   * a certificate not yet a secret version the nginx service names (rotation pending), or replicas still on an older
   * version (rolling out).
   */
  state: 'serving' | 'not issued' | 'names changed' | 'refused' | 'problem' | 'rotation pending' | 'rolling out';
  detail: string;
}

/** The sites with the store's view of each (pure): what `certkit sites` prints. */
export function siteRows(set: SiteSet, entries: readonly StatusEntry[]): SiteRow[] {
  const byName = new Map(entries.map((entry) => [entry.name, entry]));
  const rows: SiteRow[] = set.sites.map((site) => {
    const base = { site: site.id, names: site.names, declaredIn: site.sources.map(describeSource) };
    const entry = byName.get(site.certName);
    if (!entry) return { ...base, state: 'not issued', detail: 'waits for its first certificate (the next check, or `certkit update`)' };
    const added = site.names.filter((name) => !entry.domains.includes(name));
    const removed = entry.domains.filter((name) => !site.names.includes(name));
    if (added.length > 0 || removed.length > 0) {
      const change = [...added.map((name) => `+${name}`), ...removed.map((name) => `-${name}`)].join(' ');
      return { ...base, state: 'names changed', detail: `${change}: reissued on the same lineage at the next check` };
    }
    if (entry.problems.length > 0) return { ...base, state: 'problem', detail: entry.problems.join('; ') };
    return { ...base, state: 'serving', detail: `serial ${entry.serial ?? '?'}, expires ${entry.notAfter ?? '?'}` };
  });
  for (const refusal of set.refused) {
    rows.push({
      site: refusal.site ?? '-',
      names: [],
      declaredIn: [describeSource(refusal.source)],
      state: 'refused',
      detail: describeRefusal(refusal),
    });
  }
  return rows;
}

export function formatSiteRows(rows: readonly SiteRow[]): string {
  const table = [
    ['SITE', 'STATE', 'NAMES', 'DECLARED IN'],
    ...rows.map((row) => [row.site, row.state, row.names.join(',') || '-', row.declaredIn.join('; ')]),
  ];
  const widths = table[0]?.map((_, column) => Math.max(...table.map((line) => (line[column] ?? '').length))) ?? [];
  const lines = table.map((line) =>
    line.map((cell, column) => (column === line.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  '),
  );
  const details = rows.map((row) => `  ${row.site}: ${row.detail}`);
  return `${lines.join('\n')}\n\n${details.join('\n')}\n`;
}

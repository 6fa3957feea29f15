import type { SiteDeclaration } from '../sites/declaration.js';
import type { SiteSet } from '../sites/collect-sites.js';
import { siteRows, type SiteRow } from '../sites/site-rows.js';
import { describeSource, type SiteRefusal } from '../sites/site.js';
import type { StatusEntry } from '../store/status-entries.js';
import type { ReplicaReport } from './replica-status.js';

/**
 * Pure: `certkit sites` on a Swarm stack. The store's view of each site is Compose's (not issued, names changed, a
 * problem); a site whose certificate is fine in the store is then followed into Swarm: is that certificate a secret
 * version yet (else it waits for a rotation), does the nginx service name it, does every replica mount it (else it
 * waits for the replicas still on an older version). Same columns and JSON as on Compose.
 */
export function swarmSiteRows(set: SiteSet, entries: readonly StatusEntry[], report: ReplicaReport): SiteRow[] {
  const certNames = new Map(set.sites.map((site) => [site.id, site.certName]));
  const byName = new Map(entries.map((entry) => [entry.name, entry]));
  return siteRows(set, entries).map((row) => {
    const declaredIn = row.declaredIn.map((text, index) => swarmSource(set, row, index) ?? text);
    if (row.state !== 'serving') return { ...row, declaredIn };
    const entry = byName.get(certNames.get(row.site) ?? '');
    return { ...row, declaredIn, ...swarmState(row.site, entry?.serial ?? null, entry?.notAfter ?? null, report) };
  });
}

function swarmState(
  site: string,
  serial: string | null,
  notAfter: string | null,
  report: ReplicaReport,
): Pick<SiteRow, 'state' | 'detail'> {
  const rows = report.rows.filter((row) => row.site === site);
  const current = rows.find((row) => row.current)?.current ?? null;
  const next = `the next check rotates it in (the daemon), or run \`certkit update ${site}\``;
  if (!current || (serial !== null && current.serial !== null && current.serial !== serial)) {
    return {
      state: 'rotation pending',
      detail: `serial ${serial ?? '?'} is in the store, but ${current ? `the newest secret version is ${current.name} (serial ${current.serial ?? '?'})` : 'the site has no secret version yet'}: ${next}`,
    };
  }
  const held = report.problems.find((problem) => problem.startsWith(`site ${site}: `));
  if (held) return { state: 'rotation pending', detail: held.slice(`site ${site}: `.length) };
  if (rows.length === 0) {
    return {
      state: 'rolling out',
      detail: `secret ${current.name} (serial ${current.serial ?? '?'}) waits for a replica of ${report.service}: ${report.problems.join('; ') || 'none is meant to run'}`,
    };
  }
  const behind = rows.filter((row) => row.problem !== null);
  if (behind.length > 0) {
    return {
      state: 'rolling out',
      detail: `${rows.length - behind.length} of ${rows.length} replicas of ${report.service} serve ${current.name}; ${behind.map((row) => row.problem).join('; ')}`,
    };
  }
  return {
    state: 'serving',
    detail: `serial ${serial ?? '?'}, expires ${notAfter ?? '?'}, secret ${current.name} on every replica of ${report.service} (${rows.length})`,
  };
}

/** A label source on Swarm is a service's deploy.labels, not a container's: said so, with the label that declares it. */
function swarmSource(set: SiteSet, row: SiteRow, index: number): string | undefined {
  if (row.state === 'refused') {
    const refusal = set.refused.find((entry) => describeSource(entry.source) === row.declaredIn[index] && entry.source.kind === 'label');
    return refusal?.source.kind === 'label' ? `service ${refusal.source.container} (deploy.labels ${refusal.key})` : undefined;
  }
  const source = set.sites.find((site) => site.id === row.site)?.sources[index];
  return source?.kind === 'label' ? `service ${source.container} (deploy.labels certkit.host)` : undefined;
}

/**
 * The sites file's declarations, refused on Swarm: the daemon runs in its own service with `.env` alone (a Swarm
 * secret), so a site there would be listed and never issued. Each names its line and the fix.
 */
export function sitesFileOnSwarm(found: ReadonlyArray<SiteDeclaration | SiteRefusal>, stack: string): SiteRefusal[] {
  return found.map((entry) => ({
    site: 'settings' in entry ? entry.site.value : entry.site,
    source: entry.source,
    key: '(the sites file)',
    value: 'settings' in entry ? (entry.settings.host?.value ?? '') : entry.value,
    problem: `is not read on Swarm (CERTKIT_SWARM_STACK=${stack}): certkit's service gets .env alone. Declare the site by deploy.labels on a service of the stack (certkit.host, certkit.port; docs/swarm.md), or in .env`,
  }));
}

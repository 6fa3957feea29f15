/** The links a sweep's batch makes before its one reload, and the .env site's HTTPS selected with them (serveBatch). */
import type { CertificateLoading } from '../nginx/certificate-pickup.js';
import type { NginxContainer } from '../nginx/nginx-container.js';
import { planServing, servesSite, type PendingSite } from './serve-plan.js';

export interface Linked {
  /** The other sites whose link changed. */
  relinked: ReadonlySet<string>;
  /** The links could not be made (nginx refused them): every site to reload fails with it. */
  error?: unknown;
  /** The .env site's HTTPS file was selected with the links, under their one `nginx -t`. */
  selected?: boolean;
  /** Its selection was refused (the links, made alone after it, passed): by site id. */
  refused?: Map<string, unknown>;
}

/**
 * The other sites linked for the batch. When the .env site needs a reload for HTTPS, its `select https` links them
 * too, and one `nginx -t` checks both (not one for the links, then one for the selection). Refused, the links and the
 * site before stay; the links are then made alone, so the .env site fails alone with its refusal while the others go
 * on, as when each had its own check.
 */
export async function linkBatch(
  nginx: Pick<NginxContainer, 'selectWithSites' | 'linkSites'>,
  sites: readonly PendingSite[],
  served: ReadonlyMap<string, string | undefined>,
  loadingFor: (sites: readonly PendingSite[]) => Promise<CertificateLoading | undefined>,
): Promise<Linked> {
  const selecting = sites.filter((site) => site.selects);
  const envReloads =
    selecting.length > 0 && planServing({ sites: selecting, served, loading: await loadingFor(selecting) }).reloaded.length > 0;
  let refused: Map<string, unknown> | undefined;
  if (envReloads) {
    try {
      return { relinked: new Set((await nginx.selectWithSites('https')).relinked), selected: true };
    } catch (error) {
      refused = new Map(selecting.map((site) => [site.id, error]));
    }
  }
  try {
    return { relinked: new Set(await nginx.linkSites()), refused };
  } catch (error) {
    return { relinked: new Set(), error };
  }
}

/** Whether a changed site shows another certificate on every name: renewed in place, how nginx loads it decides. */
export function renewedInPlace(sites: readonly PendingSite[], served: ReadonlyMap<string, string | undefined>): boolean {
  return sites.some(
    (site) => site.changed && !site.relinked && !servesSite(site, served) && site.names.every((name) => served.get(name) !== undefined),
  );
}

/**
 * The .env site's HTTPS file selected for a reload that serves it (`select https`: `nginx -t` over everything): refused,
 * it fails alone with nginx's refusal, the previous file stays linked, and the other sites are reloaded without it.
 */
export async function selectHttps(nginx: NginxContainer, toReload: readonly PendingSite[]): Promise<Map<string, unknown>> {
  const refused = new Map<string, unknown>();
  for (const site of toReload.filter((entry) => entry.selects)) {
    await nginx.selectSite('https').catch((error: unknown) => refused.set(site.id, error));
  }
  return refused;
}

import { decideCertificatePickup, type CertificateLoading } from '../nginx/certificate-pickup.js';

/** A site a sweep worked on, whose serving waits for the sweep's one pass over nginx (serveBatch). */
export interface PendingSite {
  id: string;
  names: readonly string[];
  /** The serial nginx must present for every name. */
  serial: string;
  /** This run issued, renewed or deployed its certificate: verified by a handshake per name, whatever nginx says. */
  changed: boolean;
  /** Its link changed in this sweep (its first certificate, or the site came back): nginx must reload to serve it. */
  relinked: boolean;
  /** Its file is the one `entrypoint.sh select` links (the .env site's): a reload for it selects HTTPS first. */
  selects?: boolean;
}

/** What the sweep does for its pending sites: nothing, wait for a handshake to show the serial, or reload once. */
export interface ServePlan {
  /** Sites nginx already serves as they must be. */
  done: string[];
  /** Sites nginx serves at the next handshake with no reload (it reads the certificate at handshakes). */
  awaited: string[];
  /** Sites only a reload serves (a link changed, no HTTPS yet, or nginx loads certificates at reloads only). */
  reloaded: string[];
}

/**
 * One decision for all the pending sites of a sweep, from the serial each name shows now and how nginx loads
 * certificates: at most one reload takes every site that needs one, instead of one per site.
 */
export function planServing(input: {
  sites: readonly PendingSite[];
  /** The serial each name shows now (undefined: no HTTPS answer). */
  served: ReadonlyMap<string, string | undefined>;
  loading: CertificateLoading | undefined;
}): ServePlan {
  const plan: ServePlan = { done: [], awaited: [], reloaded: [] };
  for (const site of input.sites) {
    const decision = decideCertificatePickup({
      served: site.names.map((name) => input.served.get(name)),
      serial: site.serial,
      configChanged: site.relinked,
      loading: input.loading,
    });
    if (decision === 'none') plan.done.push(site.id);
    else if (decision === 'await') plan.awaited.push(site.id);
    else plan.reloaded.push(site.id);
  }
  return plan;
}

/** Every name of these sites once, in order: what one probe pass asks nginx. */
export function namesOf(sites: readonly Pick<PendingSite, 'names'>[]): string[] {
  return [...new Set(sites.flatMap((site) => site.names))];
}

/** Whether nginx shows this site's serial for every one of its names. */
export function servesSite(site: Pick<PendingSite, 'names' | 'serial'>, served: ReadonlyMap<string, string | undefined>): boolean {
  return site.names.every((name) => served.get(name) === site.serial);
}

import { hostForUrl, isIpAddress } from '../config/ip-address.js';

/** One name's request in a preflight: the URL fetched, and the Host header when it goes to another address. */
export interface PreflightTarget {
  name: string;
  url: string;
  host: string | undefined;
}

/** What the preflight script printed for one name. */
export interface PreflightAnswer {
  name: string;
  ok: boolean;
  detail: string;
}

/** A site asking for a preflight: its id (what a failure is reported under) and its names. */
export interface PreflightSite {
  id: string;
  names: readonly string[];
}

/**
 * How many names one preflight run checks: its requests run 16 at a time with 10 s each at most, so a run of names
 * that all time out still ends within the helper's minute.
 */
export const PREFLIGHT_CHUNK = 64;

/**
 * The requests for `names`, fetching the challenge file `file`. With `viaAddress` (the local test CA, whose DNS points
 * every name at nginx) a DNS name is asked of that address with the name as Host header; an IP address is always
 * asked at the address itself, never through DNS: it must reach this nginx itself.
 */
export function preflightTargets(names: readonly string[], file: string, viaAddress: string | undefined): PreflightTarget[] {
  return names.map((name) => {
    const via = isIpAddress(name) ? undefined : viaAddress;
    return { name, url: `http://${hostForUrl(via ?? name)}/.well-known/acme-challenge/${file}`, host: via ? name : undefined };
  });
}

/**
 * The names of a sweep's due sites, each once, cut into runs of at most `chunk` names: one run for up to that many
 * names however many sites hold them, instead of one run per site.
 */
export function preflightChunks(sites: readonly PreflightSite[], chunk = PREFLIGHT_CHUNK): string[][] {
  const names = [...new Set(sites.flatMap((site) => site.names))];
  const chunks: string[][] = [];
  for (let at = 0; at < names.length; at += chunk) chunks.push(names.slice(at, at + chunk));
  return chunks;
}

/**
 * Each site's failed names, from the answers of every run: a site fails alone, for its own names, and a name with no
 * answer (its run failed or printed nothing for it) fails with `missing` as its detail. A site absent from the result
 * passed.
 */
export function preflightFailures(
  sites: readonly PreflightSite[],
  answers: ReadonlyMap<string, PreflightAnswer>,
  missing: (name: string) => string,
): Map<string, PreflightAnswer[]> {
  const failures = new Map<string, PreflightAnswer[]>();
  for (const site of sites) {
    const failed = site.names.map((name) => answers.get(name) ?? { name, ok: false, detail: missing(name) }).filter((answer) => !answer.ok);
    if (failed.length > 0) failures.set(site.id, failed);
  }
  return failures;
}

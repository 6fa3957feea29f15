import type { KeyType } from '../config/config.js';
import type { Challenge } from '../config/dns-challenge.js';
import type { Route } from '../config/routes.js';

/**
 * Where a site was declared. Every message about a site points here, so the user knows which file line, which
 * service's label or which `.env` variable to fix.
 */
export type SiteSource =
  | { kind: 'env'; file: string | undefined }
  | { kind: 'label'; container: string; project: string | undefined; service: string | undefined }
  | { kind: 'file'; file: string; line: number };

/**
 * One certificate lineage with its names, its routing and its challenge: the unit that flows from a declaration
 * (`.env`, a service's labels, the sites file) through the store to nginx. Built only by `validateSite`.
 */
export interface Site {
  /** Stable and unique: `env` for the `.env` site, else the site's name (label `certkit.site`, the file's key). */
  id: string;
  /** certbot's lineage; never derived from the names, so names moving in or out never make a `-0001` lineage. */
  certName: string;
  /** Names on the certificate, first one first, without duplicates. */
  names: string[];
  /** Where nginx sends each path of this site's names; none serves certkit's placeholder page. */
  routes: Route[];
  challenge: Challenge;
  /** The ACME profile to request; undefined leaves the choice to the CA. */
  profile: string | undefined;
  keyType: KeyType;
  /** Every declaration that makes up this site (several services may each bring a route to one site). */
  sources: SiteSource[];
}

/** A declaration certkit refused: the site alone is left out, every other site goes on. */
export interface SiteRefusal {
  /** The site the declaration was for, when it got as far as naming one. */
  site: string | undefined;
  source: SiteSource;
  /** What to fix: `certkit.host` for a label, `host` for a file key, `CERTBOT_DOMAIN` for .env. */
  key: string;
  value: string;
  /** What is wrong and how to fix it, in a sentence that follows the key and the value. */
  problem: string;
}

/** Where a declaration came from, in words: `service web (container app-web-1)`, `sites.yaml line 4`, `.env`. */
export function describeSource(source: SiteSource): string {
  switch (source.kind) {
    case 'env':
      return source.file ?? 'the environment';
    case 'label':
      return source.service
        ? `service ${source.service}${source.project ? ` of project ${source.project}` : ''} (container ${source.container})`
        : `container ${source.container}`;
    case 'file':
      return `${source.file} line ${source.line}`;
  }
}

/** One line per refusal: where, what, the value and the fix. */
export function describeRefusal(refusal: SiteRefusal): string {
  const site = refusal.site ? `site ${refusal.site}: ` : '';
  return `${site}${describeSource(refusal.source)}: ${refusal.key}=${JSON.stringify(refusal.value)} ${refusal.problem}`;
}

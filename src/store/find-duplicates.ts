import type { RenewalConf } from './renewal-conf.js';

/** What duplicate detection needs to know of each lineage. */
export interface LineageFacts {
  name: string;
  domains: string[];
  renewal: RenewalConf | null;
}

const NUMBERED = /^(.+)-(\d{4})$/;

/** The lineage this one duplicates: `a.com-0001` → `a.com`, when `a.com` exists too. */
export function findDuplicateBase(name: string, names: ReadonlySet<string>): string | null {
  const match = NUMBERED.exec(name);
  return match?.[1] !== undefined && names.has(match[1]) ? match[1] : null;
}

/**
 * Explains a `NAME-0001` lineage and how to fold it into NAME. certbot makes one when a request without
 * --cert-name asks for names that are neither identical to nor a superset of an existing certificate's.
 */
export function explainDuplicate(duplicate: LineageFacts, base: LineageFacts): string {
  const dup = duplicate.name;
  const intro =
    `${dup} is a second certificate beside ${base.name}: certbot created it when a request without --cert-name asked for ` +
    `other names (${dup}: ${list(duplicate.domains)}; ${base.name}: ${list(base.domains)}). ` +
    `"certbot renew" renews both, each counting against Let's Encrypt's limits, while "certbot renew --cert-name ${base.name}" renews only ${base.name}.`;
  const check = `First check what uses ${dup}: "grep -rn 'live/${dup}/' " over your web server config, and any script that passes --cert-name ${dup}; point them at live/${base.name}/.`;
  if (base.renewal === null && duplicate.renewal !== null) {
    return `${intro} ${base.name} has no renewal conf, so only ${dup} is renewed: keep ${dup} (or reissue ${base.name} with ${reissue(base.name, union(base, duplicate), duplicate)} and then run "certbot delete --cert-name ${dup}").`;
  }
  const extra = duplicate.domains.filter((domain) => !base.domains.includes(domain));
  if (extra.length === 0) {
    return `${intro} ${base.name} already covers every name of ${dup}. ${check} Then run "certbot delete --cert-name ${dup}".`;
  }
  return (
    `${intro} ${dup} also covers ${list(extra)}, which ${base.name} lacks. Add them to ${base.name} with ` +
    `${reissue(base.name, union(base, duplicate), base)}. ${check} Then run "certbot delete --cert-name ${dup}".`
  );
}

function reissue(name: string, domains: string[], source: LineageFacts): string {
  const names = domains.map((domain) => `-d ${domain}`).join(' ');
  const renewal = source.renewal;
  const webroot =
    renewal?.authenticator === 'webroot' && renewal.webrootPaths[0] !== undefined ? ` --webroot -w ${renewal.webrootPaths[0]}` : '';
  const hint = webroot === '' ? ' (plus the authenticator options you issued it with)' : '';
  return `"certbot certonly --cert-name ${name} --expand${webroot} ${names}"${hint}`;
}

function union(a: LineageFacts, b: LineageFacts): string[] {
  return [...new Set([...a.domains, ...b.domains])];
}

function list(domains: string[]): string {
  return domains.length === 0 ? 'no readable certificate' : domains.join(', ');
}

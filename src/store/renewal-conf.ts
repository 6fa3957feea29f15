import type { StoreSnapshot } from './snapshot.js';
import type { LineageIndex } from './store-layout.js';
import { LIVE_KINDS } from './store-layout.js';

/**
 * A renewal conf flattened to dotted keys: `cert`, `renewalparams.authenticator`, `renewalparams.webroot_map.a.com`.
 * certbot writes these with configobj; `[[x]]` nests under the last `[y]`.
 */
export type RenewalConf = Map<string, string>;

export interface RenewalSummary {
  certbotVersion: string | null;
  authenticator: string | null;
  server: string | null;
  keyType: string | null;
  account: string | null;
  webrootPaths: string[];
  /** The ACME profile asked for (certbot >= 4.1 saves it), or null for the CA's default. */
  profile: string | null;
}

export function parseRenewalConf(text: string): RenewalConf {
  const values: RenewalConf = new Map();
  let section = '';
  let parent = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const nested = /^\[\[(.+)\]\]$/.exec(line);
    const top = /^\[(.+)\]$/.exec(line);
    if (nested?.[1] !== undefined) {
      section = parent === '' ? nested[1].trim() : `${parent}.${nested[1].trim()}`;
    } else if (top?.[1] !== undefined) {
      parent = top[1].trim();
      section = parent;
    } else {
      const eq = line.indexOf('=');
      if (eq < 0) continue;
      const key = line.slice(0, eq).trim();
      values.set(section === '' ? key : `${section}.${key}`, line.slice(eq + 1).trim());
    }
  }
  return values;
}

export function summarizeRenewalConf(conf: RenewalConf): RenewalSummary {
  const webroot = conf.get('renewalparams.webroot_path') ?? '';
  return {
    certbotVersion: conf.get('version') ?? null,
    authenticator: conf.get('renewalparams.authenticator') ?? null,
    server: conf.get('renewalparams.server') ?? null,
    keyType: conf.get('renewalparams.key_type') ?? null,
    account: conf.get('renewalparams.account') ?? null,
    // certbot stores a list as `a, b,` (trailing comma even for one item).
    webrootPaths: webroot.split(',').map((part) => part.trim()).filter((part) => part !== ''),
    profile: conf.get('renewalparams.required_profile') ?? conf.get('renewalparams.preferred_profile') ?? null,
  };
}

/** What in a renewal conf would stop `certbot renew` from loading or renewing this lineage. */
export function checkRenewalConf(snapshot: StoreSnapshot, lineage: LineageIndex, conf: RenewalConf): string[] {
  const { name } = lineage;
  const problems: string[] = [];
  const file = `renewal/${name}.conf`;
  for (const kind of LIVE_KINDS) {
    const value = conf.get(kind);
    const expected = `/live/${name}/${kind}.pem`;
    if (value === undefined) {
      problems.push(`${file} has no "${kind} = …" line, so certbot cannot load this certificate; add "${kind} = /etc/letsencrypt${expected}" (your config dir in place of /etc/letsencrypt).`);
    } else if (!value.endsWith(expected)) {
      problems.push(`${file} says ${kind} = ${value}, but this certificate's file is …${expected}; point it there, or certbot renews one certificate and updates another's files.`);
    } else if (!snapshot.has(expected.slice(1))) {
      problems.push(`${file} says ${kind} = ${value}, which does not exist in the store; restore live/${name}/ (see the live/ problems) before renewing.`);
    }
  }
  const archiveDir = conf.get('archive_dir');
  const expectedArchive = `/archive/${name}`;
  if (archiveDir === undefined) {
    problems.push(`${file} has no "archive_dir = …" line; add "archive_dir = /etc/letsencrypt${expectedArchive}" (your config dir in place of /etc/letsencrypt).`);
  } else if (!archiveDir.replace(/\/+$/, '').endsWith(expectedArchive)) {
    problems.push(`${file} says archive_dir = ${archiveDir}, but this certificate's versions are in …${expectedArchive}; point it there.`);
  } else if (!lineage.hasArchiveDir) {
    problems.push(`${file} says archive_dir = ${archiveDir}, which does not exist in the store; without its versions certbot cannot renew: restore archive/${name}/ from a backup, or reissue with "certbot certonly --cert-name ${name} -d …".`);
  }
  return problems;
}

import type { StoreSnapshot } from './snapshot.js';
import type { LineageIndex } from './store-layout.js';
import { LIVE_KINDS } from './store-layout.js';

/**
 * What certkit reads from certbot's `renewal/NAME.conf`: how the certificate was made and will be renewed, and where
 * its files are. One type for the store's analysis and for planning the next certbot run.
 */
export interface RenewalConf {
  version: string | undefined;
  server: string | undefined;
  authenticator: string | undefined;
  account: string | undefined;
  keyType: string | undefined;
  ellipticCurve: string | undefined;
  rsaKeySize: string | undefined;
  /** The ACME profile certbot >= 4.1 saved (required over preferred); undefined when none was saved. */
  profile: string | undefined;
  deployHook: string | undefined;
  /** A renewal threshold set in the conf by hand (`renew_before_expiry`, commented out as certbot writes it): certbot's. */
  renewBeforeExpiry?: string | undefined;
  webrootPaths: string[];
  /** [[webroot_map]]: the webroot certbot renew uses for each name (it takes a name's entry over webroot_path). */
  webrootMap?: Record<string, string>;
  /** Top-level paths (cert, privkey, chain, fullchain, archive_dir). */
  paths: Record<string, string>;
  /** Every key of [renewalparams] (not nested sections): what `certbot renew` reuses. */
  paramKeys?: string[];
  /** The DNS plugins' settings of [renewalparams] (`dns_<plugin>_credentials`, `dns_<plugin>_propagation_seconds`). */
  dnsParams?: Record<string, string>;
}

const PATH_KEYS = ['cert', 'privkey', 'chain', 'fullchain', 'archive_dir'];

export function parseRenewalConf(text: string): RenewalConf {
  const flat = flattenConfigObj(text);
  const param = (key: string): string | undefined => flat.get(`renewalparams.${key}`);
  const paths: Record<string, string> = {};
  for (const key of PATH_KEYS) {
    const value = flat.get(key);
    if (value !== undefined) paths[key] = value;
  }
  // One pass over the keys for the three groups of [renewalparams] (this runs once per certificate of a status).
  const webrootMap: Record<string, string> = {};
  const paramKeys: string[] = [];
  const dnsParams: Record<string, string> = {};
  for (const [key, value] of flat) {
    if (!key.startsWith(PARAMS)) continue;
    const rest = key.slice(PARAMS.length);
    if (rest.startsWith(WEBROOT_MAP)) webrootMap[rest.slice(WEBROOT_MAP.length)] = value.replace(/,\s*$/, '').trim();
    if (rest.includes('.')) continue;
    paramKeys.push(rest);
    if (rest.startsWith('dns_')) dnsParams[rest] = value;
  }
  return {
    version: flat.get('version'),
    server: param('server'),
    authenticator: param('authenticator'),
    account: param('account'),
    keyType: param('key_type'),
    ellipticCurve: param('elliptic_curve'),
    rsaKeySize: param('rsa_key_size'),
    profile: savedProfile(flat),
    deployHook: param('renew_hook') ?? param('deploy_hook'),
    renewBeforeExpiry: flat.get('renew_before_expiry'),
    // certbot stores a list as `a, b,` (trailing comma even for one item).
    webrootPaths: (param('webroot_path') ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== ''),
    paths,
    webrootMap,
    paramKeys,
    dnsParams,
  };
}

const PARAMS = 'renewalparams.';
const WEBROOT_MAP = 'webroot_map.';

/**
 * A configobj file flattened to dotted keys: `cert`, `renewalparams.authenticator`, `renewalparams.webroot_map.a.com`.
 * certbot writes these with configobj; `[[x]]` nests under the last `[y]`.
 */
function flattenConfigObj(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of walkConfigObj(text)) if (line.key !== undefined) values.set(line.key, line.value ?? '');
  return values;
}

/** One line of a configobj file: its section (`renewalparams.webroot_map`, '' at the top), and its dotted key and value. */
export interface ConfigObjLine {
  raw: string;
  section: string;
  /** Dotted key of a `key = value` line; undefined for comments, blanks and section headers. */
  key?: string;
  value?: string;
}

/** The lines of a configobj file in order, each with the section it belongs to: the one reader of renewal confs. */
export function walkConfigObj(text: string): ConfigObjLine[] {
  const lines: ConfigObjLine[] = [];
  let section = '';
  let parent = '';
  for (const rawLine of text.split('\n')) {
    const raw = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const line = raw.trim();
    const nested = line.startsWith('[[') ? /^\[\[(.+)\]\]$/.exec(line) : null;
    const top = nested === null && line.startsWith('[') ? /^\[(.+)\]$/.exec(line) : null;
    if (line === '' || line.startsWith('#')) {
      lines.push({ raw, section });
    } else if (nested?.[1] !== undefined) {
      section = parent === '' ? nested[1].trim() : `${parent}.${nested[1].trim()}`;
      lines.push({ raw, section });
    } else if (top?.[1] !== undefined) {
      parent = top[1].trim();
      section = parent;
      lines.push({ raw, section });
    } else {
      const eq = line.indexOf('=');
      if (eq < 0) {
        lines.push({ raw, section });
        continue;
      }
      const key = line.slice(0, eq).trim();
      lines.push({ raw, section, key: section === '' ? key : `${section}.${key}`, value: line.slice(eq + 1).trim() });
    }
  }
  return lines;
}

/** The profile saved in a renewal conf (required over preferred); configobj writes an unset value as `None`. */
function savedProfile(flat: Map<string, string>): string | undefined {
  for (const key of ['renewalparams.required_profile', 'renewalparams.preferred_profile']) {
    const value = flat.get(key);
    if (value !== undefined && value !== '' && value !== 'None') return value;
  }
  return undefined;
}

/** What in a renewal conf would stop `certbot renew` from loading or renewing this lineage. */
export function checkRenewalConf(snapshot: StoreSnapshot, lineage: LineageIndex, conf: RenewalConf): string[] {
  const { name } = lineage;
  const problems: string[] = [];
  const file = `renewal/${name}.conf`;
  for (const kind of LIVE_KINDS) {
    const value = conf.paths[kind];
    const expected = `/live/${name}/${kind}.pem`;
    if (value === undefined) {
      problems.push(
        `${file} has no "${kind} = …" line, so certbot cannot load this certificate; add "${kind} = /etc/letsencrypt${expected}" (your config dir in place of /etc/letsencrypt).`,
      );
    } else if (!value.endsWith(expected)) {
      problems.push(
        `${file} says ${kind} = ${value}, but this certificate's file is …${expected}; point it there, or certbot renews one certificate and updates another's files.`,
      );
    } else if (!snapshot.has(expected.slice(1))) {
      problems.push(
        `${file} says ${kind} = ${value}, which does not exist in the store; restore live/${name}/ (see the live/ problems) before renewing.`,
      );
    }
  }
  const archiveDir = conf.paths['archive_dir'];
  const expectedArchive = `/archive/${name}`;
  if (archiveDir === undefined) {
    problems.push(
      `${file} has no "archive_dir = …" line; add "archive_dir = /etc/letsencrypt${expectedArchive}" (your config dir in place of /etc/letsencrypt).`,
    );
  } else if (!archiveDir.replace(/\/+$/, '').endsWith(expectedArchive)) {
    problems.push(`${file} says archive_dir = ${archiveDir}, but this certificate's versions are in …${expectedArchive}; point it there.`);
  } else if (!lineage.hasArchiveDir) {
    problems.push(
      `${file} says archive_dir = ${archiveDir}, which does not exist in the store; without its versions certbot cannot renew: restore archive/${name}/ from a backup, or reissue with "certbot certonly --cert-name ${name} -d …".`,
    );
  }
  return problems;
}

import { CONTAINER_PATHS, DEPLOY_HOOK } from '../stack/layout.js';
import { walkConfigObj } from './renewal-conf.js';
import { LIVE_KINDS } from './store-layout.js';

/** Where certbot keeps its work and logs in the certbot container (its defaults): what a renewal must use there. */
const CERTBOT_DIRS: Record<string, string> = {
  config_dir: CONTAINER_PATHS.letsencrypt,
  work_dir: '/var/lib/letsencrypt',
  logs_dir: '/var/log/letsencrypt',
};

/** Authenticators that would validate in a place the certbot container cannot serve from: they become webroot. */
const SWITCHED_TO_WEBROOT = new Set(['webroot', 'standalone', 'nginx', 'apache']);

/** Hooks that name commands of the host the store came from; certkit deploys and reloads nginx itself. */
const HOST_HOOKS = new Set(['pre_hook', 'post_hook']);

export interface AdaptedRenewalConf {
  text: string;
  /** One line per change, for the user (`cert: /srv/le/live/a/cert.pem → /etc/letsencrypt/live/a/cert.pem`). */
  changes: string[];
}

/**
 * A renewal conf from another machine or config dir, rewritten for certbot in certkit's certbot container: the file
 * paths point under /etc/letsencrypt (certbot wrote the absolute paths of its --config-dir), certbot's own dirs are its
 * defaults there, webroot validation uses the shared webroot, the deploy hook is certkit's, host hooks and installers
 * are dropped. Everything else (account, server, key type, profile, other options) is kept as written, line by line.
 */
export function adaptRenewalConf(text: string, name: string): AdaptedRenewalConf {
  const changes: string[] = [];
  const lines = walkConfigObj(text);
  const authenticator = lines.find((line) => line.key === 'renewalparams.authenticator')?.value;
  const toWebroot = authenticator !== undefined && SWITCHED_TO_WEBROOT.has(authenticator);
  const out: string[] = [];
  let hookWritten = false;
  let webrootWritten = false;
  const set = (raw: string, key: string, value: string, wanted: string): string => {
    if (value === wanted) return raw;
    changes.push(`${key}: ${value} → ${wanted}`);
    return `${indentOf(raw)}${raw.slice(0, raw.indexOf('=')).trim()} = ${wanted}`;
  };
  for (const line of lines) {
    const { key, value, raw } = line;
    if (key === undefined || value === undefined) {
      out.push(raw);
      // certkit's deploy hook and webroot go right after the section header, before any nested section.
      if (raw.trim() === '[renewalparams]') out.push(...pendingParams(lines, toWebroot, changes));
      continue;
    }
    const bare = key.startsWith('renewalparams.') ? key.slice('renewalparams.'.length) : key;
    const kind = LIVE_KINDS.find((candidate) => key === candidate);
    if (kind !== undefined) {
      out.push(set(raw, key, value, rebase(value, `/live/${name}/${kind}.pem`)));
    } else if (key === 'archive_dir') {
      out.push(set(raw, key, value, rebase(value.replace(/\/+$/, ''), `/archive/${name}`)));
    } else if (bare in CERTBOT_DIRS && key === `renewalparams.${bare}`) {
      out.push(set(raw, key, value, CERTBOT_DIRS[bare] as string));
    } else if (key === 'renewalparams.renew_hook' || key === 'renewalparams.deploy_hook') {
      if (!hookWritten) out.push(set(raw, key, value, DEPLOY_HOOK));
      hookWritten = true;
    } else if (HOST_HOOKS.has(bare) && key === `renewalparams.${bare}`) {
      changes.push(`${key}: dropped (${value}: a command of the old host; certkit deploys and reloads nginx itself)`);
    } else if (key === 'renewalparams.installer' && value !== 'None') {
      changes.push(`${key}: ${value} → None (certkit deploys to nginx itself)`);
      out.push(`${indentOf(raw)}installer = None`);
    } else if (toWebroot && key === 'renewalparams.authenticator') {
      out.push(set(raw, key, value, 'webroot'));
    } else if (toWebroot && key === 'renewalparams.webroot_path') {
      if (!webrootWritten) out.push(set(raw, key, value, `${CONTAINER_PATHS.webroot},`));
      webrootWritten = true;
    } else if (toWebroot && key.startsWith('renewalparams.webroot_map.')) {
      out.push(set(raw, key, value, CONTAINER_PATHS.webroot));
    } else {
      out.push(raw);
    }
  }
  return { text: out.join('\n'), changes };
}

/** The lines certkit needs in [renewalparams] that the conf lacks: its deploy hook, and the webroot when switched to it. */
function pendingParams(lines: ReturnType<typeof walkConfigObj>, toWebroot: boolean, changes: string[]): string[] {
  const has = (key: string) => lines.some((line) => line.key === `renewalparams.${key}`);
  const added: string[] = [];
  if (!has('renew_hook') && !has('deploy_hook')) {
    added.push(`renew_hook = ${DEPLOY_HOOK}`);
    changes.push(`renewalparams.renew_hook: added ${DEPLOY_HOOK}`);
  }
  if (toWebroot && !has('webroot_path')) {
    added.push(`webroot_path = ${CONTAINER_PATHS.webroot},`);
    changes.push(`renewalparams.webroot_path: added ${CONTAINER_PATHS.webroot}`);
  }
  return added;
}

/** `/srv/old/live/a/cert.pem` → `/etc/letsencrypt/live/a/cert.pem`; a value not ending as certbot writes it is kept. */
function rebase(value: string, storeSuffix: string): string {
  return value.endsWith(storeSuffix) ? `${CONTAINER_PATHS.letsencrypt}${storeSuffix}` : value;
}

function indentOf(raw: string): string {
  return /^\s*/.exec(raw)?.[0] ?? '';
}

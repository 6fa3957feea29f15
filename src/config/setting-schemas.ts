import { isIPv4, isIPv6 } from 'node:net';
import * as z from 'zod';
import { stackNameProblem } from '../swarm/secret-name.js';
import { parseDuration } from './duration.js';
import { punycodeProblem, splitNames } from './hostnames.js';

// The schemas of nginx's, the deploy hook's and the daemon's settings, and the generic ones (ports, booleans, modes).

export const serverNameList = z.string().transform((raw, ctx): string[] => {
  const names = splitNames(raw);
  for (const name of names) {
    if (name !== '_' && !/^(\*\.)?[a-z0-9.-]+$/.test(name)) {
      ctx.addIssue({
        code: 'custom',
        message: `is not valid: "${name}" is not a server name for nginx (expected names like example.com or *.example.com)`,
      });
      return z.NEVER;
    }
    const idn = punycodeProblem(name);
    if (idn) {
      ctx.addIssue({ code: 'custom', message: `is not valid: "${name}": ${idn}` });
      return z.NEVER;
    }
  }
  return names;
});

export const portSchema = z
  .string()
  .regex(/^\d{1,5}$/, 'is not a port number: use one between 1 and 65535')
  .transform(Number)
  .refine((port) => port >= 1 && port <= 65535, 'is not a port between 1 and 65535');

/** Where Compose publishes nginx's ports: an IPv4 address, or an IPv6 address in brackets (Compose's port syntax). */
export const bindSchema = z.string().transform((raw, ctx): string => {
  if (isIPv4(raw) || (raw.startsWith('[') && raw.endsWith(']') && isIPv6(raw.slice(1, -1)))) return raw;
  const message = isIPv6(raw)
    ? `is an IPv6 address without brackets; Compose needs them here: write "[${raw}]"`
    : 'is not an IP address to publish nginx on; use 0.0.0.0 (every address), 127.0.0.1 (this host only), another IPv4 address of this host, or an IPv6 one in brackets like [::1]';
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
});

const SSL_PROTOCOLS = ['TLSv1.2', 'TLSv1.3'];
/** Older versions a copied .env may still list (Dify's once did): dropped from a list that also holds a current one. */
export const OBSOLETE_SSL_PROTOCOLS = ['TLSv1', 'TLSv1.1'];
export const sslProtocolsSchema = z.string().transform((raw, ctx): string[] => {
  const words = raw.split(/\s+/).filter((word) => word !== '' && !OBSOLETE_SSL_PROTOCOLS.includes(word));
  const bad = raw.split(/\s+/).find((word) => word !== '' && !SSL_PROTOCOLS.includes(word) && !OBSOLETE_SSL_PROTOCOLS.includes(word));
  if (words.length === 0 || bad !== undefined) {
    ctx.addIssue({ code: 'custom', message: `is not a list of TLS versions: use TLSv1.2 and/or TLSv1.3` });
    return z.NEVER;
  }
  return words;
});

export const intervalSchema = z.string().transform((raw, ctx): number => {
  const ms = parseDuration(raw);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: 'is not an interval between 1s and 1d, like 12h or 30m (twice a day or more is recommended)' });
    return z.NEVER;
  }
  return ms;
});

export const fileModeSchema = z
  .string()
  .regex(/^0?[0-7]{3}$/, 'is not an octal file mode like 0644')
  .transform((raw) => raw.padStart(4, '0'));

export const booleanSchema = z.string().transform((raw, ctx): boolean => {
  if (/^(true|1|yes|on)$/i.test(raw)) return true;
  if (/^(false|0|no|off)$/i.test(raw)) return false;
  ctx.addIssue({ code: 'custom', message: 'is not true or false: write true or false (yes/no, on/off and 1/0 work too)' });
  return z.NEVER;
});
export const hstsMaxAgeSchema = z
  .string()
  .regex(/^\d{1,9}$/, 'is not a number of seconds: use 0 to turn HSTS off, or e.g. 31536000 (a year)')
  .transform(Number);

export const bodySizeSchema = z.string().regex(/^\d{1,6}[kKmMgG]?$/, 'is not a size like 100M or 512k');

export const serviceNameSchema = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'is not a Compose service name (letters, digits, ".", "-" and "_"), e.g. nginx');

export const nginxModeSchema = z.enum(['kit', 'own'], {
  message: "is not an nginx mode: use kit (certkit's own nginx) or own (your app's nginx includes certkit's snippets)",
});

export const deployModeSchema = z.enum(['copy', 'hardlink', 'symlink'], { message: 'is not a deploy mode: use copy, hardlink or symlink' });

export const deployOwnerSchema = z
  .string()
  .regex(/^$|^\d{1,10}(:\d{1,10})?$/, 'is not a numeric owner like 101 or 101:101 (empty keeps root)');

export const projectNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]*$|^$/, 'is not a Compose project name: use lowercase letters, digits, - and _, e.g. myapp');

/** CERTKIT_SITES_FILE: a file's path (relative to the project folder, or absolute). */
export const sitesFileSchema = z
  .string()
  .regex(/^[^\n\r\0]*[^/\n\r\0]$/, 'is not a path to a file (the sites file, e.g. sites.yaml beside .env)');

/** CERTKIT_SITE_GRACE: up to 30 days (parseDuration stops at a day; a week covers a server down over a long weekend). */
export const graceSchema = z.string().transform((raw, ctx): number => {
  const days = /^(\d{1,2})d$/.exec(raw);
  const ms = days ? Number(days[1]) * 86_400_000 : raw === '0' ? 0 : parseDuration(raw);
  if (ms === undefined || ms > 30 * 86_400_000) {
    ctx.addIssue({
      code: 'custom',
      message: 'is not a duration up to 30d, like 24h, 7d or 0 (stop serving a site as soon as its container is gone)',
    });
    return z.NEVER;
  }
  return ms;
});

/**
 * CERTKIT_SWARM_STACK: the name the stack was deployed under (`docker stack deploy ... NAME`); empty is Compose mode.
 * It starts every secret name certkit creates, so Swarm's limits on those apply to it.
 */
export const swarmStackSchema = z.string().transform((raw, ctx): string => {
  const problem = raw === '' ? undefined : stackNameProblem(raw);
  if (problem) {
    ctx.addIssue({
      code: 'custom',
      message: `${problem} (the name given to \`docker stack deploy -c compose.swarm.yaml NAME\`; empty for Compose)`,
    });
    return z.NEVER;
  }
  return raw;
});

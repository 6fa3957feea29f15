import * as z from 'zod';
import { ACME_SERVERS, serverByName, type AcmeServer } from './acme-servers.js';
import { splitCertbotOptions } from './certbot-options.js';
import type { KeyType } from './config.js';
import { misspeltPluginProblem, readDnsPlugin } from './dns-challenge.js';
import { hostnameProblem, splitNames } from './hostnames.js';
import { portProblem, serviceHostProblem } from './service-host.js';
import { canonicalIp } from './ip-address.js';

// The schemas of certbot's settings: what CERTBOT_* may hold, each message saying what is expected.

export const domainList = z.string().transform((raw, ctx): string[] => {
  const names = splitNames(raw, /,/);
  if (names.length === 0) {
    ctx.addIssue({
      code: 'custom',
      message: 'is empty; set it to the name(s) this server answers for, comma-separated, e.g. example.com,www.example.com',
    });
    return z.NEVER;
  }
  for (const [index, name] of names.entries()) {
    const address = canonicalIp(name);
    if (address !== undefined) {
      names[index] = address;
      continue;
    }
    // A wildcard stands for one label under a name; whether the challenge allows it is checked with CERTBOT_CHALLENGE.
    const problem = name.startsWith('*.') && name.length > 2 ? hostnameProblem(name.slice(2)) : hostnameProblem(name);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: `is not valid: "${name}" ${problem}` });
      return z.NEVER;
    }
  }
  const unique = [...new Set(names)];
  if (unique.length > 100) ctx.addIssue({ code: 'custom', message: "has more than 100 names, Let's Encrypt's limit per certificate" });
  return unique;
});

// certbot's plugin names as `certbot plugins` lists them (dns-standalone); comma- or space-separated.
export const trustedPluginsSchema = z.string().transform((raw, ctx): string[] => {
  const names = [...new Set(raw.split(/[,\s]+/).filter(Boolean))];
  const bad = names.find((name) => !/^[a-z0-9][a-z0-9_.:-]{0,62}$/i.test(name));
  if (bad !== undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `has "${bad}", which is not a certbot plugin name (as \`certkit plugins\` lists them, e.g. dns-standalone)`,
    });
    return z.NEVER;
  }
  return names;
});

/**
 * CERTBOT_DNS_PLUGIN, refused when it is a likely typo of an official plugin and not trusted by name (the other
 * checks would only repeat the wrong name, and the scripts must not be rendered with it).
 */
export function dnsPluginSchema(trustedPlugins: readonly string[]) {
  return z.string().transform((raw, ctx): string => {
    if (raw === '') return raw;
    const read = readDnsPlugin(raw);
    const problem = 'plugin' in read ? misspeltPluginProblem(read.plugin, trustedPlugins) : read.problem;
    if (problem === undefined && 'plugin' in read) return read.plugin;
    ctx.addIssue({ code: 'custom', message: problem ?? 'is invalid' });
    return z.NEVER;
  });
}

// Compose mounts the file by this path; a newline or NUL could not be a path there.
export const credentialsPathSchema = z
  .string()
  .regex(/^$|^[^\n\r\0]+[^/\n\r\0]$|^[^/\n\r\0]$/, 'is not a path to a file (a credentials file, e.g. /etc/certkit/cloudflare.ini)');

// ACME profile names are short tokens the CA lists in its directory (classic, tlsserver, shortlived, ...).
export const profileSchema = z
  .string()
  .regex(
    /^$|^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    "is not an ACME profile name: use one your CA lists, e.g. classic, tlsserver or shortlived (empty: the CA's default)",
  );

export const certNameSchema = z
  .string()
  .regex(/^$|^[a-z0-9][a-z0-9._-]{0,127}$/, 'is not a certificate name (lowercase letters, digits, dots, - and _), e.g. example.com');

export const emailSchema = z
  .string()
  .regex(
    /^$|^[^\s@"'<>,;]+@[a-z0-9-]+(\.[a-z0-9-]+)+$/i,
    'is not an email address (expected someone@example.com, or leave it empty to register without one)',
  );

export const optionsSchema = z.string().transform((raw, ctx): string[] => {
  const result = splitCertbotOptions(raw);
  if (result.ok) return result.words;
  ctx.addIssue({ code: 'custom', message: result.problem });
  return z.NEVER;
});

export const serverSchema = z.string().transform((raw, ctx): AcmeServer => {
  const name = raw.toLowerCase();
  if (Object.hasOwn(ACME_SERVERS, name)) return serverByName(name as keyof typeof ACME_SERVERS);
  const url = /^https:\/\/([a-z0-9.-]+)(:\d+)?(\/[\w./-]*)?$/i.exec(raw);
  const host = url ? (serviceHostProblem(url[1] as string) ?? portProblem(url[2]?.slice(1))) : undefined;
  if (url && host === undefined) return { name: 'custom', url: raw };
  ctx.addIssue({
    code: 'custom',
    message: host
      ? `${host}; write the CA's https:// directory URL as it publishes it`
      : 'is not an ACME server: use production, staging, pebble, or an https:// directory URL',
  });
  return z.NEVER;
});

const KEY_TYPES: Record<string, KeyType> = {
  'ecdsa-p256': { type: 'ecdsa', curve: 'secp256r1' },
  'ecdsa-p384': { type: 'ecdsa', curve: 'secp384r1' },
  'rsa-2048': { type: 'rsa', size: 2048 },
  'rsa-3072': { type: 'rsa', size: 3072 },
  'rsa-4096': { type: 'rsa', size: 4096 },
};
export const keyTypeSchema = z.string().transform((raw, ctx): KeyType => {
  const key = raw.toLowerCase();
  if (Object.hasOwn(KEY_TYPES, key)) return KEY_TYPES[key] as KeyType;
  ctx.addIssue({ code: 'custom', message: `is not a key type: use one of ${Object.keys(KEY_TYPES).join(', ')}` });
  return z.NEVER;
});

export const challengeTypeSchema = z.enum(['http', 'dns'], {
  message: 'is not a challenge type: use http (HTTP-01 through nginx, the default) or dns (DNS-01 through a certbot DNS plugin)',
});

export const propagationSchema = z
  .string()
  .regex(/^$|^\d{1,4}$/, "is not a number of seconds (empty keeps the plugin's default)")
  .refine((raw) => raw === '' || Number(raw) <= 3600, 'is over an hour; DNS changes propagate in minutes (try 60 to 600)');

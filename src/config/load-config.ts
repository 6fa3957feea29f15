import { isIPv4, isIPv6 } from 'node:net';
import * as z from 'zod';
import { CertkitError } from '../errors.js';
import { ACME_SERVERS, serverByName, type AcmeServer } from './acme-servers.js';
import { splitCertbotOptions } from './certbot-options.js';
import type { Config, KeyType } from './config.js';
import { OFFICIAL_DNS_PLUGINS, ROUTE53_VARIABLES, officialDnsImage, readDnsPlugin, type Challenge } from './dns-challenge.js';
import { parseDuration } from './duration.js';
import { hostnameProblem, reservedNameKind, splitNames } from './hostnames.js';
import { canonicalIp, hostForUrl } from './ip-address.js';
import type { EnvFile } from './read-env-file.js';
import { routesSchema, type Route } from './routes.js';
import { upstreamSchema } from './upstream-url.js';

/**
 * Builds the Config from the process environment and the `.env` file (the environment wins, as in Compose).
 * Every invalid value is reported at once, each naming the variable, the value, what is expected and the `.env` line.
 */
export function loadConfig(input: { env: NodeJS.ProcessEnv; file?: EnvFile | undefined; missingFile?: string | undefined }): Config {
  const problems: string[] = [];
  const read = <T>(key: string, fallback: string, schema: z.ZodType<T>): T | undefined => {
    const fromEnv = input.env[key];
    const given = fromEnv ?? input.file?.values[key] ?? '';
    // An empty value means "the default", as in .env.example's empty lines.
    const raw = given.trim() === '' ? fallback : given;
    const parsed = schema.safeParse(raw.trim());
    if (parsed.success) return parsed.data;
    const where =
      fromEnv === undefined && input.file?.lines[key]
        ? ` (${input.file.path} line ${input.file.lines[key]})`
        : fromEnv !== undefined
          ? ' (from the environment)'
          : '';
    problems.push(`${key}: ${JSON.stringify(given)} ${parsed.error.issues[0]?.message ?? 'is invalid'}${where}`);
    return undefined;
  };

  const domains = read('CERTBOT_DOMAIN', '', domainList);
  const certName = read('CERTBOT_CERT_NAME', '', certNameSchema);
  const email = read('CERTBOT_EMAIL', '', emailSchema);
  const certbotOptions = read('CERTBOT_OPTIONS', '', optionsSchema);
  const server = read('CERTBOT_SERVER', 'production', serverSchema);
  const keyType = read('CERTBOT_KEY_TYPE', 'ecdsa-p256', keyTypeSchema);
  const profile = read('CERTBOT_PROFILE', '', profileSchema);
  const serverNames = read('NGINX_SERVER_NAME', '', serverNameList);
  // Dify's .env names the published ports EXPOSE_NGINX_SSL_PORT and EXPOSE_NGINX_PORT: read when certkit's are unset.
  const isSet = (key: string) => (input.env[key] ?? input.file?.values[key] ?? '').trim() !== '';
  const either = (own: string, dify: string) => (isSet(own) || !isSet(dify) ? own : dify);
  const httpsPort = read(either('NGINX_HTTPS_PORT', 'EXPOSE_NGINX_SSL_PORT'), '443', portSchema);
  const httpPort = read(either('NGINX_HTTP_PORT', 'EXPOSE_NGINX_PORT'), '80', portSchema);
  const upstream = read('NGINX_UPSTREAM', '', upstreamSchema);
  const routes = read('CERTKIT_ROUTES', '', routesSchema);
  const hstsMaxAge = read(
    'NGINX_HSTS_MAX_AGE',
    '0',
    z
      .string()
      .regex(/^\d{1,9}$/, 'is not a number of seconds (0 turns HSTS off)')
      .transform(Number),
  );
  const sslProtocols = read('NGINX_SSL_PROTOCOLS', 'TLSv1.2 TLSv1.3', sslProtocolsSchema);
  const clientMaxBodySize = read(
    'NGINX_CLIENT_MAX_BODY_SIZE',
    '100M',
    z.string().regex(/^\d{1,6}[kKmMgG]?$/, 'is not a size like 100M or 512k'),
  );
  const nginxService = read(
    'CERTKIT_NGINX_SERVICE',
    'nginx',
    z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'is not a Compose service name (letters, digits, ".", "-" and "_"), e.g. nginx'),
  );
  const nginxMode = read(
    'CERTKIT_NGINX_MODE',
    'kit',
    z.enum(['kit', 'own'], {
      message: "is not an nginx mode: use kit (certkit's own nginx) or own (your app's nginx includes certkit's snippets)",
    }),
  );
  const checkIntervalMs = read('CERTKIT_CHECK_INTERVAL', '12h', intervalSchema);
  const preflight = read('CERTKIT_PREFLIGHT', 'true', booleanSchema);
  const deployMode = read(
    'CERTKIT_DEPLOY_MODE',
    'copy',
    z.enum(['copy', 'hardlink', 'symlink'], { message: 'is not a deploy mode: use copy, hardlink or symlink' }),
  );
  const deployOwner = read(
    'CERTKIT_DEPLOY_OWNER',
    '',
    z.string().regex(/^$|^\d{1,10}(:\d{1,10})?$/, 'is not a numeric owner like 101 or 101:101 (empty keeps root)'),
  );
  const certMode = read('CERTKIT_DEPLOY_CERT_MODE', '0644', fileModeSchema);
  const keyMode = read('CERTKIT_DEPLOY_KEY_MODE', '0600', fileModeSchema);
  const allowLooseKeyMode = read('CERTKIT_ALLOW_LOOSE_KEY_MODE', 'false', booleanSchema);
  read('NGINX_BIND', '0.0.0.0', bindSchema);
  const challengeType = read(
    'CERTBOT_CHALLENGE',
    'http',
    z.enum(['http', 'dns'], {
      message: 'is not a challenge type: use http (HTTP-01 through nginx, the default) or dns (DNS-01 through a certbot DNS plugin)',
    }),
  );
  const dnsPlugin = read('CERTBOT_DNS_PLUGIN', '', dnsPluginSchema);
  const dnsCredentials = read('CERTBOT_DNS_CREDENTIALS', '', credentialsPathSchema);
  const dnsPropagation = read(
    'CERTBOT_DNS_PROPAGATION_SECONDS',
    '',
    z
      .string()
      .regex(/^$|^\d{1,4}$/, "is not a number of seconds (empty keeps the plugin's default)")
      .refine((raw) => raw === '' || Number(raw) <= 3600, 'is over an hour; DNS changes propagate in minutes (try 60 to 600)'),
  );
  const certbotImage = read('CERTBOT_IMAGE', '', z.string());
  const trustedPlugins = read('CERTBOT_TRUSTED_PLUGINS', '', trustedPluginsSchema);
  const sitesFile = read(
    'CERTKIT_SITES_FILE',
    'sites.yaml',
    z.string().regex(/^[^\n\r\0]*[^/\n\r\0]$/, 'is not a path to a file (the sites file, e.g. sites.yaml beside .env)'),
  );
  const siteGrace = read('CERTKIT_SITE_GRACE', '24h', graceSchema);
  const composeProjectName = read(
    'COMPOSE_PROJECT_NAME',
    '',
    z.string().regex(/^[a-z0-9][a-z0-9_-]*$|^$/, 'is not a Compose project name (lowercase letters, digits, - and _)'),
  );

  if (problems.length > 0 || !domains || !server || !keyType || !certbotOptions) {
    throw configError(problems, input.missingFile);
  }
  problems.push(...reservedNameProblems(domains, server));
  const emailDomain = email ? (email.split('@')[1] ?? '').toLowerCase() : '';
  const emailReserved = reservedNameKind(emailDomain);
  if (emailReserved && (server.name === 'production' || server.name === 'staging')) {
    problems.push(
      `CERTBOT_EMAIL: "${email}" is at a ${emailReserved.kind === 'placeholder' ? 'placeholder' : 'private-network'} domain ("${emailReserved.suffix}"), which Let's Encrypt refuses as a contact; put an address you read, or leave it empty to register without one`,
    );
  }
  if (httpsPort !== undefined && httpsPort === httpPort) {
    problems.push(
      `NGINX_HTTPS_PORT and NGINX_HTTP_PORT: both are ${httpsPort}, but nginx needs one host port for HTTP (the ACME challenge and the redirect) and another for HTTPS; set different ports, e.g. 80 and 443`,
    );
  }
  if (keyMode !== undefined && !allowLooseKeyMode && (Number.parseInt(keyMode, 8) & 0o037) !== 0) {
    problems.push(
      `CERTKIT_DEPLOY_KEY_MODE: "${keyMode}" lets ${(Number.parseInt(keyMode, 8) & 0o007) !== 0 ? 'every user on the host read' : 'the group write or run'} the private key; use 0600, or 0640 with CERTKIT_DEPLOY_OWNER for a consumer in the file's group. If you really need it, set CERTKIT_ALLOW_LOOSE_KEY_MODE=true`,
    );
  }
  if (server.name === 'production' && checkIntervalMs !== undefined && checkIntervalMs < 60_000) {
    problems.push(`CERTKIT_CHECK_INTERVAL: under a minute against Let's Encrypt production would hammer its rate limits; use 1m or more`);
  }
  const addresses = domains.filter((name) => canonicalIp(name) !== undefined);
  if (addresses.length > 0 && profile && profile !== IP_PROFILE) {
    problems.push(
      `CERTBOT_PROFILE: "${profile}" cannot be used with the IP address ${addresses[0]} in CERTBOT_DOMAIN: Let's Encrypt issues IP-address certificates only under the ${IP_PROFILE} profile; leave CERTBOT_PROFILE empty (it then defaults to ${IP_PROFILE}) or set it to ${IP_PROFILE}`,
    );
  }
  if (upstream && routes?.some((route) => route.path === '/')) {
    problems.push(
      `CERTKIT_ROUTES and NGINX_UPSTREAM both say where / goes; NGINX_UPSTREAM is the one-route case: empty it, or drop the / route from CERTKIT_ROUTES to let NGINX_UPSTREAM serve every other path`,
    );
  }
  const challenge = challengeProblems(problems, {
    type: challengeType ?? 'http',
    plugin: dnsPlugin ?? '',
    credentials: dnsCredentials ?? '',
    propagation: dnsPropagation ?? '',
    image: certbotImage ?? '',
    domains,
  });
  if (problems.length > 0) throw configError(problems, input.missingFile);

  return {
    domains,
    // certbot names lineages after folders; an IPv6 address's colons become dashes; a wildcard's name is its domain's.
    certName: certName || (domains[0] as string).replace(/^\*\./, '').replace(/:/g, '-'),
    email: email || undefined,
    certbotOptions,
    server,
    keyType,
    profile: profile || (addresses.length > 0 ? IP_PROFILE : undefined),
    challenge,
    trustedPlugins: trustedPlugins ?? [],
    nginx: {
      serverNames: serverNames && serverNames.length > 0 ? serverNames : domains.map(hostForUrl),
      httpsPort: httpsPort ?? 443,
      httpPort: httpPort ?? 80,
      upstream: upstream || undefined,
      routes: withDefaultRoute(routes ?? [], upstream || undefined),
      hstsMaxAge: hstsMaxAge ?? 0,
      sslProtocols: sslProtocols ?? ['TLSv1.2', 'TLSv1.3'],
      clientMaxBodySize: clientMaxBodySize ?? '100M',
      service: nginxService ?? 'nginx',
      mode: nginxMode ?? 'kit',
    },
    checkIntervalMs: checkIntervalMs ?? 12 * 3_600_000,
    preflight: preflight ?? true,
    deploy: { mode: deployMode ?? 'copy', owner: deployOwner ?? '', certMode: certMode ?? '0644', keyMode: keyMode ?? '0600' },
    sites: { file: sitesFile ?? 'sites.yaml', graceMs: siteGrace ?? 24 * 3_600_000 },
    composeProjectName: composeProjectName || undefined,
  };
}

/**
 * CERTBOT_CHALLENGE with the DNS settings and the names: each setting that does not fit the others is a problem
 * naming the variable and the fix. Returns the challenge (meaningful only when no problem was added).
 */
function challengeProblems(
  problems: string[],
  given: { type: 'http' | 'dns'; plugin: string; credentials: string; propagation: string; image: string; domains: string[] },
): Challenge {
  const wildcards = given.domains.filter((name) => name.startsWith('*.'));
  if (given.type === 'http') {
    for (const name of wildcards) {
      problems.push(
        `CERTBOT_DOMAIN: "${name}" is a wildcard, and CAs validate wildcards only over DNS-01, never over HTTP-01 (CERTBOT_CHALLENGE is http); set CERTBOT_CHALLENGE=dns with CERTBOT_DNS_PLUGIN for your DNS provider, or list each name instead`,
      );
    }
    const dnsOnly: Array<[string, string]> = [
      ['CERTBOT_DNS_PLUGIN', given.plugin],
      ['CERTBOT_DNS_CREDENTIALS', given.credentials],
      ['CERTBOT_DNS_PROPAGATION_SECONDS', given.propagation],
    ];
    for (const [key, value] of dnsOnly.filter(([, value]) => value !== '')) {
      problems.push(
        `${key}: "${value}" is set, but CERTBOT_CHALLENGE is http, which uses no DNS plugin; set CERTBOT_CHALLENGE=dns to validate over DNS, or remove ${key}`,
      );
    }
    return { type: 'http' };
  }
  const challenge: Challenge = {
    type: 'dns',
    plugin: given.plugin,
    credentials: given.credentials || undefined,
    propagationSeconds: given.propagation === '' ? undefined : Number(given.propagation),
  };
  if (given.plugin === '') {
    problems.push(
      `CERTBOT_DNS_PLUGIN: empty, but CERTBOT_CHALLENGE=dns needs the certbot DNS plugin of your DNS provider, e.g. cloudflare, route53 or rfc2136 (README: DNS-01)`,
    );
    return challenge;
  }
  const addresses = given.domains.filter((name) => canonicalIp(name) !== undefined);
  if (addresses.length > 0) {
    problems.push(
      `CERTBOT_DOMAIN: the IP address ${addresses[0]} cannot be validated over DNS-01 (CERTBOT_CHALLENGE=dns): a CA checks an IP address over HTTP-01 only; certify it in a stack with CERTBOT_CHALLENGE=http, or remove it`,
    );
  }
  if (OFFICIAL_DNS_PLUGINS[given.plugin] === 'file' && given.credentials === '') {
    problems.push(
      `CERTBOT_DNS_CREDENTIALS: empty, but the ${given.plugin} plugin reads its credentials from a file; write them to a file outside this folder (e.g. /etc/certkit/${given.plugin}.ini), chmod 600 it, and set CERTBOT_DNS_CREDENTIALS to its path (README: DNS-01)`,
    );
  }
  if (OFFICIAL_DNS_PLUGINS[given.plugin] === 'aws' && given.credentials !== '') {
    problems.push(
      `CERTBOT_DNS_CREDENTIALS: "${given.credentials}" is set, but the ${given.plugin} plugin reads no credentials file: it takes ${ROUTE53_VARIABLES.slice(0, 2).join(' and ')} from .env, which docker-compose.yaml passes to the certbot container alone; remove CERTBOT_DNS_CREDENTIALS (README: DNS-01)`,
    );
  }
  if (OFFICIAL_DNS_PLUGINS[given.plugin] === 'aws' && given.propagation !== '') {
    problems.push(
      `CERTBOT_DNS_PROPAGATION_SECONDS: "${given.propagation}" is set, but the ${given.plugin} plugin takes no delay (certbot 3.0 removed its flag): it waits until Route 53 reports the change in sync; remove CERTBOT_DNS_PROPAGATION_SECONDS`,
    );
  }
  const official = officialDnsImage(given.plugin);
  if (official && given.image === '') {
    problems.push(
      `CERTBOT_IMAGE: empty, so the certbot container runs certbot/certbot, which has no dns-${given.plugin} plugin; set CERTBOT_IMAGE=${official} (the official image with the plugin, at the same certbot version)`,
    );
  }
  return challenge;
}

/**
 * A public CA cannot validate a placeholder (example.com, .test, ...) or a private-network name (.local, .internal,
 * ...): certbot would fail after spending a failed-validation attempt, with an error that blames DNS. Pebble, the local
 * test CA, issues for anything; a custom CA URL may be a private one (step-ca, say) that issues for private names.
 */
function reservedNameProblems(domains: string[], server: AcmeServer): string[] {
  if (server.name === 'pebble') return [];
  const problems: string[] = [];
  for (const name of domains) {
    const reserved = reservedNameKind(name);
    if (!reserved || (reserved.kind === 'private' && server.name === 'custom')) continue;
    const what =
      reserved.kind === 'placeholder'
        ? `is a placeholder: names under "${reserved.suffix}" are reserved for examples and tests, and no public CA issues for them`
        : `is a private-network name: names under "${reserved.suffix}" are not in public DNS, so a public CA cannot validate them`;
    problems.push(
      `CERTBOT_DOMAIN: "${name}" ${what} (CERTBOT_SERVER is ${server.name}). Put your own domain, whose DNS points at this server; to try certkit without one, set CERTBOT_SERVER=pebble`,
    );
  }
  return problems;
}

/** `missingFile` is the .env path looked for and not found: the likely cause of every problem on a first start. */
export function configError(problems: string[], missingFile?: string): CertkitError {
  const head = problems.length === 1 ? 'Invalid configuration' : `Invalid configuration (${problems.length} problems)`;
  const hint = missingFile
    ? `There is no .env file (looked for ${missingFile}). Create it from the example and set CERTBOT_DOMAIN:\n  cp .env.example .env\n`
    : '';
  return new CertkitError('CONFIG_INVALID', `${hint}${head}:\n  ${problems.join('\n  ')}`, { details: problems });
}

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
const trustedPluginsSchema = z.string().transform((raw, ctx): string[] => {
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

const dnsPluginSchema = z.string().transform((raw, ctx): string => {
  if (raw === '') return raw;
  const read = readDnsPlugin(raw);
  if ('plugin' in read) return read.plugin;
  ctx.addIssue({ code: 'custom', message: read.problem });
  return z.NEVER;
});

// Compose mounts the file by this path; a newline or NUL could not be a path there.
const credentialsPathSchema = z
  .string()
  .regex(/^$|^[^\n\r\0]+[^/\n\r\0]$|^[^/\n\r\0]$/, 'is not a path to a file (a credentials file, e.g. /etc/certkit/cloudflare.ini)');

const serverNameList = z.string().transform((raw, ctx): string[] => {
  const names = splitNames(raw);
  for (const name of names) {
    if (name !== '_' && !/^(\*\.)?[a-z0-9.-]+$/.test(name)) {
      ctx.addIssue({
        code: 'custom',
        message: `is not valid: "${name}" is not a server name for nginx (expected names like example.com or *.example.com)`,
      });
      return z.NEVER;
    }
  }
  return names;
});

/** The only ACME profile Let's Encrypt issues IP-address certificates under. */
export const IP_PROFILE = 'shortlived';

// ACME profile names are short tokens the CA lists in its directory (classic, tlsserver, shortlived, ...).
export const profileSchema = z
  .string()
  .regex(
    /^$|^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    "is not an ACME profile name: use one your CA lists, e.g. classic, tlsserver or shortlived (empty: the CA's default)",
  );

const certNameSchema = z
  .string()
  .regex(/^$|^[a-z0-9][a-z0-9._-]{0,127}$/, 'is not a certificate name (lowercase letters, digits, dots, - and _), e.g. example.com');

const emailSchema = z
  .string()
  .regex(
    /^$|^[^\s@"'<>,;]+@[a-z0-9-]+(\.[a-z0-9-]+)+$/i,
    'is not an email address (expected someone@example.com, or leave it empty to register without one)',
  );

const optionsSchema = z.string().transform((raw, ctx): string[] => {
  const result = splitCertbotOptions(raw);
  if (result.ok) return result.words;
  ctx.addIssue({ code: 'custom', message: result.problem });
  return z.NEVER;
});

const serverSchema = z.string().transform((raw, ctx): AcmeServer => {
  const name = raw.toLowerCase();
  if (Object.hasOwn(ACME_SERVERS, name)) return serverByName(name as keyof typeof ACME_SERVERS);
  if (/^https:\/\/[a-z0-9.-]+(:\d+)?(\/[\w./-]*)?$/i.test(raw)) return { name: 'custom', url: raw };
  ctx.addIssue({ code: 'custom', message: 'is not an ACME server: use production, staging, pebble, or an https:// directory URL' });
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

const portSchema = z
  .string()
  .regex(/^\d{1,5}$/, 'is not a port number')
  .transform(Number)
  .refine((port) => port >= 1 && port <= 65535, 'is not a port between 1 and 65535');

/** NGINX_UPSTREAM is the route for / (and every path no other route takes). */
function withDefaultRoute(routes: Route[], upstream: string | undefined): Route[] {
  return upstream === undefined ? routes : [...routes, { path: '/', upstream }];
}

/** Where Compose publishes nginx's ports: an IPv4 address, or an IPv6 address in brackets (Compose's port syntax). */
const bindSchema = z.string().transform((raw, ctx): string => {
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
const sslProtocolsSchema = z.string().transform((raw, ctx): string[] => {
  const words = raw.split(/\s+/).filter((word) => word !== '' && !OBSOLETE_SSL_PROTOCOLS.includes(word));
  const bad = raw.split(/\s+/).find((word) => word !== '' && !SSL_PROTOCOLS.includes(word) && !OBSOLETE_SSL_PROTOCOLS.includes(word));
  if (words.length === 0 || bad !== undefined) {
    ctx.addIssue({ code: 'custom', message: `is not a list of TLS versions: use TLSv1.2 and/or TLSv1.3` });
    return z.NEVER;
  }
  return words;
});

const intervalSchema = z.string().transform((raw, ctx): number => {
  const ms = parseDuration(raw);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: 'is not an interval between 1s and 1d, like 12h or 30m (twice a day or more is recommended)' });
    return z.NEVER;
  }
  return ms;
});

// A day is parseDuration's limit; a week covers a server down over a long weekend.
const graceSchema = z.string().transform((raw, ctx): number => {
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

const fileModeSchema = z
  .string()
  .regex(/^0?[0-7]{3}$/, 'is not an octal file mode like 0644')
  .transform((raw) => raw.padStart(4, '0'));

export const booleanSchema = z.string().transform((raw, ctx): boolean => {
  if (/^(true|1|yes|on)$/i.test(raw)) return true;
  if (/^(false|0|no|off)$/i.test(raw)) return false;
  ctx.addIssue({ code: 'custom', message: 'is not true or false' });
  return z.NEVER;
});

import type * as z from 'zod';
import type { KeyType } from '../config/config.js';
import type { Challenge, DnsChallenge } from '../config/dns-challenge.js';
import { canonicalIp } from '../config/ip-address.js';
import { domainList, keyTypeSchema, profileSchema } from '../config/certbot-schemas.js';
import { routesSchema, type Route } from '../config/routes.js';
import { upstreamSchema } from '../config/upstream-url.js';
import type { SiteDeclaration, SiteSetting, WrittenSetting } from './declaration.js';
import type { Site, SiteRefusal } from './site.js';

/** What a site takes from `.env` when it does not say: the key type, the profile and the DNS plugin settings. */
export interface SiteDefaults {
  keyType: KeyType;
  profile: string | undefined;
  /** `.env`'s DNS-01 settings when CERTBOT_CHALLENGE=dns: the one plugin and credentials file the certbot container has. */
  dns: DnsChallenge | undefined;
}

/** A site's name is its certbot lineage and its folder names: the characters certbot and nginx take as they are. */
export const SITE_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/**
 * Turns every declaration of one site (one per contributing service, or one file entry) into the Site, or into the
 * refusals that keep this site alone out. Each refusal names where it was written, the key, the value and the fix.
 */
export function validateSite(declarations: readonly SiteDeclaration[], defaults: SiteDefaults): Site | SiteRefusal[] {
  const first = declarations[0];
  if (!first) throw new Error('validateSite needs at least one declaration');
  const name = first.site.value.trim();
  const refusals: SiteRefusal[] = [];
  const refuse = (declaration: SiteDeclaration, setting: WrittenSetting, problem: string) =>
    refusals.push({
      site: SITE_NAME.test(name) ? name : undefined,
      source: declaration.source,
      key: setting.key,
      value: setting.value,
      problem,
    });

  if (!SITE_NAME.test(name)) {
    refuse(
      first,
      first.site,
      'is not a site name: use lowercase letters, digits, ".", "-" and "_", starting with a letter or digit (at most 63), e.g. wiki',
    );
    return refusals;
  }
  const names: string[] = [];
  const routes: Route[] = [];
  const shared: Partial<Record<'challenge' | 'profile' | 'key-type', { value: string; from: SiteDeclaration }>> = {};
  for (const declaration of declarations) {
    const host = declaration.settings.host;
    if (host) {
      const parsed = parse(domainList, host.value);
      if ('problem' in parsed) refuse(declaration, host, parsed.problem);
      else names.push(...parsed.value);
    } else if (declaration.source.kind === 'file') {
      refuse(declaration, { key: 'host', value: '' }, 'is missing: every site lists its names, e.g. host: wiki.example.com');
    }
    for (const [problemSetting, problem] of routesOf(declaration, routes)) refuse(declaration, problemSetting, problem);
    for (const key of ['challenge', 'profile', 'key-type'] as const) {
      const setting = declaration.settings[key];
      if (!setting) continue;
      const earlier = shared[key];
      if (earlier && earlier.value !== setting.value.trim()) {
        refuse(
          declaration,
          setting,
          `disagrees with "${earlier.value}" given for the same site elsewhere; give one value (or set it once)`,
        );
      } else shared[key] = { value: setting.value.trim(), from: declaration };
    }
  }
  const settingOf = (key: 'challenge' | 'profile' | 'key-type'): [SiteDeclaration, WrittenSetting] | undefined => {
    const found = shared[key];
    const setting = found?.from.settings[key as SiteSetting];
    return found && setting ? [found.from, setting] : undefined;
  };
  const challenge = readChallenge(settingOf('challenge'), defaults, refuse);
  const keyType = readOptional(settingOf('key-type'), keyTypeSchema, refuse) ?? defaults.keyType;
  const profileGiven = readOptional(settingOf('profile'), profileSchema, refuse);
  const unique = [...new Set(names)];
  const addresses = unique.filter((entry) => canonicalIp(entry) !== undefined);
  const wildcard = unique.find((entry) => entry.startsWith('*.'));
  const hostSetting = declarations.map((d) => [d, d.settings.host] as const).find(([, setting]) => setting !== undefined);
  if (hostSetting?.[1]) {
    if (wildcard && challenge?.type !== 'dns') {
      refuse(
        hostSetting[0],
        hostSetting[1],
        `has the wildcard "${wildcard}", which CAs validate only over DNS-01; set challenge to dns, or list each name`,
      );
    }
    // Clients send no name for an address, so nginx picks the default server for it: that is the .env site's place.
    if (addresses.length > 0) {
      refuse(
        hostSetting[0],
        hostSetting[1],
        `has the IP address ${addresses[0]}; an address is served by the .env site alone (clients send no name for it, so it needs nginx's default server): put it in CERTBOT_DOMAIN`,
      );
    }
  }
  if (refusals.length > 0 || !challenge) return refusals;
  if (unique.length === 0) {
    refuse(
      first,
      { key: first.source.kind === 'label' ? 'certkit.host' : 'host', value: '' },
      'names no host: set it to the names of this site',
    );
    return refusals;
  }
  return {
    id: name,
    certName: name,
    names: unique,
    routes: routes.sort((a, b) => b.path.length - a.path.length || (a.path < b.path ? -1 : 1)),
    challenge,
    profile: profileGiven || defaults.profile,
    keyType,
    sources: declarations.map((declaration) => declaration.source),
  };
}

/** The routes one declaration adds: a label's path to its container, or a file entry's upstream or routes. */
function routesOf(declaration: SiteDeclaration, routes: Route[]): Array<[WrittenSetting, string]> {
  const { settings } = declaration;
  const problems: Array<[WrittenSetting, string]> = [];
  const add = (route: Route, setting: WrittenSetting) => {
    const taken = routes.find((existing) => existing.path === route.path);
    if (taken)
      problems.push([setting, `routes ${route.path}, which ${taken.upstream} already serves in this site; give each service its own path`]);
    else routes.push(route);
  };
  if (declaration.container) {
    const path = settings.path ?? { key: 'certkit.path', value: '/' };
    const checkedPath = parse(routesSchema, `${path.value.trim() || '/'}=http://placeholder`);
    if ('problem' in checkedPath) {
      problems.push([
        path,
        `is not a path prefix: ${checkedPath.problem.replace(/^has route 1 "[^"]*", which /, '').replace(/; write PATH=.*$/, '')}`,
      ]);
      return problems;
    }
    const port = readPort(declaration, problems);
    const scheme = (settings.scheme?.value.trim() || 'http').toLowerCase();
    if (scheme !== 'http' && scheme !== 'https') {
      problems.push([settings.scheme as WrittenSetting, 'is not http or https (how nginx talks to the container)']);
      return problems;
    }
    if (port === undefined) return problems;
    const route = checkedPath.value[0];
    if (route) add({ path: route.path, upstream: `${scheme}://${declaration.container.name}:${port}` }, path);
    return problems;
  }
  const { upstream, routes: given } = settings;
  if (upstream && given) problems.push([upstream, 'and routes both say where requests go; keep routes (with a / route) or upstream alone']);
  else if (upstream) {
    const parsed = parse(upstreamSchema, upstream.value);
    if ('problem' in parsed) problems.push([upstream, parsed.problem]);
    else if (parsed.value !== '') add({ path: '/', upstream: parsed.value }, upstream);
  } else if (given) {
    const parsed = parse(routesSchema, given.value);
    if ('problem' in parsed) problems.push([given, parsed.problem]);
    else for (const route of parsed.value) add(route, given);
  }
  return problems;
}

function readPort(declaration: SiteDeclaration, problems: Array<[WrittenSetting, string]>): number | undefined {
  const written = declaration.settings.port;
  const exposed = declaration.container?.exposedPorts ?? [];
  if (!written) {
    if (exposed.length === 1) return exposed[0];
    problems.push([
      { key: 'certkit.port', value: '' },
      exposed.length === 0
        ? 'is missing, and the container list shows no port for it (it exposes none, or only on internal networks, where the engine lists none); set certkit.port to the port the app listens on, e.g. certkit.port=3000'
        : `is missing and the container exposes ${exposed.join(', ')}; set certkit.port to the one nginx should send requests to`,
    ]);
    return undefined;
  }
  const port = /^\d{1,5}$/.test(written.value.trim()) ? Number(written.value.trim()) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    problems.push([written, 'is not a port between 1 and 65535 (the port the app listens on inside its container)']);
    return undefined;
  }
  return port;
}

function readChallenge(
  given: [SiteDeclaration, WrittenSetting] | undefined,
  defaults: SiteDefaults,
  refuse: (declaration: SiteDeclaration, setting: WrittenSetting, problem: string) => void,
): Challenge | undefined {
  const value = given?.[1].value.trim().toLowerCase() || 'http';
  if (value === 'http') return { type: 'http' };
  if (value !== 'dns') {
    if (given) refuse(given[0], given[1], 'is not a challenge type: use http (through nginx) or dns (through the DNS plugin .env sets)');
    return undefined;
  }
  if (!defaults.dns) {
    if (given)
      refuse(
        given[0],
        given[1],
        'needs the DNS plugin of .env, which has none: set CERTBOT_CHALLENGE=dns, CERTBOT_DNS_PLUGIN and its credentials in .env (every DNS-01 site uses that plugin and file)',
      );
    return undefined;
  }
  return defaults.dns;
}

function readOptional<T>(
  given: [SiteDeclaration, WrittenSetting] | undefined,
  schema: z.ZodType<T>,
  refuse: (declaration: SiteDeclaration, setting: WrittenSetting, problem: string) => void,
): T | undefined {
  if (!given || given[1].value.trim() === '') return undefined;
  const parsed = parse(schema, given[1].value);
  if ('problem' in parsed) {
    refuse(given[0], given[1], parsed.problem);
    return undefined;
  }
  return parsed.value;
}

function parse<T>(schema: z.ZodType<T>, raw: string): { value: T } | { problem: string } {
  const result = schema.safeParse(raw.trim());
  return result.success ? { value: result.data } : { problem: result.error.issues[0]?.message ?? 'is invalid' };
}

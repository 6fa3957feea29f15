import type { AcmeServer } from './acme-servers.js';
import {
  certNameSchema,
  challengeTypeSchema,
  credentialsPathSchema,
  dnsPluginSchema,
  domainList,
  emailSchema,
  keyTypeSchema,
  optionsSchema,
  profileSchema,
  propagationSchema,
  serverSchema,
  trustedPluginsSchema,
} from './certbot-schemas.js';
import { challengeProblems } from './challenge-problems.js';
import { certbotImageSchema, readComposeSettings } from './compose-settings.js';
import { configError } from './config-error.js';
import type { Config, SwarmConfig } from './config.js';
import { reservedNameKind } from './hostnames.js';
import { canonicalIp, hostForUrl } from './ip-address.js';
import { readMonitoringSettings } from './monitoring-config.js';
import type { EnvFile } from './read-env-file.js';
import { settingReader, type ReadSetting, type SettingSource } from './read-setting.js';
import { routesSchema, type Route } from './routes.js';
import {
  bindSchema,
  bodySizeSchema,
  booleanSchema,
  deployModeSchema,
  deployOwnerSchema,
  fileModeSchema,
  graceSchema,
  hstsMaxAgeSchema,
  intervalSchema,
  nginxModeSchema,
  portSchema,
  projectNameSchema,
  serverNameList,
  serviceNameSchema,
  sitesFileSchema,
  sslProtocolsSchema,
  swarmStackSchema,
} from './setting-schemas.js';
import { upstreamSchema } from './upstream-url.js';

export { configError } from './config-error.js';
export { OBSOLETE_SSL_PROTOCOLS } from './setting-schemas.js';

/**
 * Builds the Config from the process environment and the `.env` file (the environment wins, as in Compose). Every
 * setting any part of the kit reads is checked here, the daemon's and the compose files' too, so no command accepts
 * what another would refuse. Every invalid value is reported at once, each naming the variable, the value, what is
 * expected and the `.env` line.
 */
export function loadConfig(input: { env: NodeJS.ProcessEnv; file?: EnvFile | undefined; missingFile?: string | undefined }): Config {
  const problems: string[] = [];
  const { read, isSet } = settingReader(input, problems);

  const domains = read('CERTBOT_DOMAIN', '', domainList);
  const certName = read('CERTBOT_CERT_NAME', '', certNameSchema);
  const email = read('CERTBOT_EMAIL', '', emailSchema);
  const certbotOptions = read('CERTBOT_OPTIONS', '', optionsSchema);
  const server = read('CERTBOT_SERVER', 'production', serverSchema);
  const keyType = read('CERTBOT_KEY_TYPE', 'ecdsa-p256', keyTypeSchema);
  const profile = read('CERTBOT_PROFILE', '', profileSchema);
  const serverNames = read('NGINX_SERVER_NAME', '', serverNameList);
  // Dify's .env names the published ports EXPOSE_NGINX_SSL_PORT and EXPOSE_NGINX_PORT: read when certkit's are unset.
  const either = (own: string, dify: string) => (isSet(own) || !isSet(dify) ? own : dify);
  const httpsKey = either('NGINX_HTTPS_PORT', 'EXPOSE_NGINX_SSL_PORT');
  const httpKey = either('NGINX_HTTP_PORT', 'EXPOSE_NGINX_PORT');
  const httpsPort = read(httpsKey, '443', portSchema);
  const httpPort = read(httpKey, '80', portSchema);
  const upstream = read('NGINX_UPSTREAM', '', upstreamSchema);
  const routes = read('CERTKIT_ROUTES', '', routesSchema);
  const hstsMaxAge = read('NGINX_HSTS_MAX_AGE', '0', hstsMaxAgeSchema);
  const sslProtocols = read('NGINX_SSL_PROTOCOLS', 'TLSv1.2 TLSv1.3', sslProtocolsSchema);
  const clientMaxBodySize = read('NGINX_CLIENT_MAX_BODY_SIZE', '100M', bodySizeSchema);
  const nginxService = read('CERTKIT_NGINX_SERVICE', 'nginx', serviceNameSchema);
  const nginxMode = read('CERTKIT_NGINX_MODE', 'kit', nginxModeSchema);
  const checkIntervalMs = read('CERTKIT_CHECK_INTERVAL', '12h', intervalSchema);
  const preflight = read('CERTKIT_PREFLIGHT', 'true', booleanSchema);
  const deployMode = read('CERTKIT_DEPLOY_MODE', 'copy', deployModeSchema);
  const deployOwner = read('CERTKIT_DEPLOY_OWNER', '', deployOwnerSchema);
  const certMode = read('CERTKIT_DEPLOY_CERT_MODE', '0644', fileModeSchema);
  const keyMode = read('CERTKIT_DEPLOY_KEY_MODE', '0600', fileModeSchema);
  const allowLooseKeyMode = read('CERTKIT_ALLOW_LOOSE_KEY_MODE', 'false', booleanSchema);
  read('NGINX_BIND', '0.0.0.0', bindSchema);
  const challengeType = read('CERTBOT_CHALLENGE', 'http', challengeTypeSchema);
  const trustedPlugins = read('CERTBOT_TRUSTED_PLUGINS', '', trustedPluginsSchema);
  const dnsPlugin = read('CERTBOT_DNS_PLUGIN', '', dnsPluginSchema(trustedPlugins ?? []));
  const dnsCredentials = read('CERTBOT_DNS_CREDENTIALS', '', credentialsPathSchema);
  const dnsPropagation = read('CERTBOT_DNS_PROPAGATION_SECONDS', '', propagationSchema);
  const certbotImage = read('CERTBOT_IMAGE', '', certbotImageSchema);
  const composeProjectName = read('COMPOSE_PROJECT_NAME', '', projectNameSchema);
  const sitesFile = read('CERTKIT_SITES_FILE', 'sites.yaml', sitesFileSchema);
  const siteGrace = read('CERTKIT_SITE_GRACE', '24h', graceSchema);
  const swarm = readSwarmSetting(read);
  const monitoring = readMonitoringSettings(input, read, problems);
  readComposeSettings(read);

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
      `${httpsKey} and ${httpKey}: both are ${httpsPort}, but nginx needs one host port for HTTP (the ACME challenge and the redirect) and another for HTTPS; set different ports, e.g. ${httpKey}=80 and ${httpsKey}=443`,
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
    swarm,
    monitoring,
  };
}

/** config.swarm: CERTKIT_SWARM_STACK's one reading (empty: Compose mode). */
function readSwarmSetting(read: ReadSetting): SwarmConfig | undefined {
  const stack = read('CERTKIT_SWARM_STACK', '', swarmStackSchema);
  return stack ? { stack } : undefined;
}

/**
 * config.swarm alone, read as loadConfig reads it, for the commands that also run on a .env whose other settings do
 * not load (`status`, `doctor`): they drive the same stack as `update` and the daemon, or refuse the same value.
 */
export function loadSwarmConfig(source: SettingSource): SwarmConfig | undefined {
  const problems: string[] = [];
  const swarm = readSwarmSetting(settingReader(source, problems).read);
  if (problems.length > 0) throw configError(problems);
  return swarm;
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

/** The only ACME profile Let's Encrypt issues IP-address certificates under. */
export const IP_PROFILE = 'shortlived';

/** NGINX_UPSTREAM is the route for / (and every path no other route takes). */
function withDefaultRoute(routes: Route[], upstream: string | undefined): Route[] {
  return upstream === undefined ? routes : [...routes, { path: '/', upstream }];
}

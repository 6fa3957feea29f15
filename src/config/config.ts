import type { AcmeServer } from './acme-servers.js';
import type { Challenge } from './dns-challenge.js';
import type { MonitoringConfig } from './monitoring-config.js';
import type { Route } from './routes.js';

export type KeyType = { type: 'ecdsa'; curve: 'secp256r1' | 'secp384r1' } | { type: 'rsa'; size: 2048 | 3072 | 4096 };

/** Everything certkit needs, validated and with defaults applied. Built by loadConfig, never by hand. */
export interface Config {
  /** Names on the certificate, first one first. */
  domains: string[];
  certName: string;
  email: string | undefined;
  /** Extra certbot words from CERTBOT_OPTIONS, already split and vetted. */
  certbotOptions: string[];
  server: AcmeServer;
  keyType: KeyType;
  /** The ACME profile to request (CERTBOT_PROFILE); undefined leaves the choice to the CA. IP certificates default to shortlived. */
  profile: string | undefined;
  /** HTTP-01 through nginx (CERTBOT_CHALLENGE=http, the default) or DNS-01 through a certbot DNS plugin. */
  challenge: Challenge;
  /**
   * Plugins from the plugins folder the user trusts to run as root in certbot (CERTBOT_TRUSTED_PLUGINS, certbot's
   * names such as dns-standalone); when any is named, certkit's certbot runs have the folder on their Python path.
   */
  trustedPlugins: string[];
  nginx: NginxConfig;
  /** How often the daemon checks, before jitter. */
  checkIntervalMs: number;
  /** Prove each name routes to this nginx before asking the CA (saves failed-validation rate limits). */
  preflight: boolean;
  deploy: DeployConfig;
  /** The sites beyond the .env one: where the sites file is, and how long a site whose declaration went keeps being served. */
  sites: SitesConfig;
  /** COMPOSE_PROJECT_NAME when set (environment first, then .env). */
  composeProjectName: string | undefined;
  /** Swarm mode (CERTKIT_SWARM_STACK): certkit drives the stack deployed under this name; undefined on Compose. */
  swarm: SwarmConfig | undefined;
  /** The daemon's /metrics and /healthz port, health grace and alert webhooks. */
  monitoring: MonitoringConfig;
}

export interface NginxConfig {
  serverNames: string[];
  /** The host port HTTPS is published on; redirects name it when it is not 443. */
  httpsPort: number;
  httpPort: number;
  /** NGINX_UPSTREAM, e.g. http://web:3000: the route for / when set (it is also in `routes`). */
  upstream: string | undefined;
  /** Where nginx proxies each path (CERTKIT_ROUTES, then NGINX_UPSTREAM for /); none serves a placeholder page. */
  routes: Route[];
  hstsMaxAge: number;
  sslProtocols: string[];
  clientMaxBodySize: string;
  /** The Compose service of the nginx certkit drives (CERTKIT_NGINX_SERVICE). */
  service: string;
  /**
   * kit: certkit's own nginx (docker-compose.yaml). own: the app's nginx, which includes the snippets certkit renders
   * (compose.own-nginx.yaml); certkit switches its HTTPS include on once a certificate is deployed.
   */
  mode: 'kit' | 'own';
}

/** How the deploy hook materializes each certificate for its consumers (nginx, and any container mounting a folder). */
export interface DeployConfig {
  /** copy: regular files; hardlink: links into the archive (copies across filesystems); symlink: links to live/. */
  mode: 'copy' | 'hardlink' | 'symlink';
  /** Numeric `uid` or `uid:gid` for the deployed files; empty keeps root. */
  owner: string;
  certMode: string;
  keyMode: string;
}

export interface SitesConfig {
  /** CERTKIT_SITES_FILE, relative to the project folder unless absolute; a missing file declares no site. */
  file: string;
  /** CERTKIT_SITE_GRACE: a site whose container stopped is served this long after certkit last saw it. */
  graceMs: number;
}

export interface SwarmConfig {
  /** The stack's name, as given to `docker stack deploy`: its services are `STACK_nginx`, `STACK_certbot`, ... */
  stack: string;
}

/** Where things live inside the stack's containers. The compose file mounts them here; keep the two in step. */
export const CONTAINER_PATHS = {
  /** certbot's store (a named volume, certbot container only). */
  letsencrypt: '/etc/letsencrypt',
  /** HTTP-01 webroot, shared with nginx (read-only there). */
  webroot: '/var/www/certbot',
  /** Materialized certificates nginx serves, one folder per certificate name (read-only in nginx). */
  deploy: '/etc/certkit/deploy',
  /** Rendered certbot scripts (the repo's certbot/ folder). */
  certbotScripts: '/etc/certkit/certbot',
  /** The repo's nginx/ folder in the nginx container. */
  nginxConfig: '/etc/certkit/nginx',
  /**
   * CERTBOT_DNS_CREDENTIALS, mounted read-only into the certbot container (/dev/null when unset), and into
   * certkit-init, which only stats it (mode, type, size) to refuse a bad file before anything starts.
   */
  dnsCredentials: '/etc/certkit/dns-credentials.ini',
  /** CERTBOT_PLUGINS_DIR: third-party certbot plugins, put on certbot's Python path only when CERTBOT_TRUSTED_PLUGINS is set. */
  plugins: '/opt/certkit/plugins',
} as const;

/**
 * Set by the compose files on certkit's own services (certkit-init, certkit), naming the service: certkit runs in its
 * container, where host paths are not visible (the credentials file only through its mount). An explicit signal, not
 * /.dockerenv, which CI runners and dev containers have too.
 */
export const CONTAINER_SIGNAL = 'CERTKIT_CONTAINER';

export function inCertkitContainer(env: NodeJS.ProcessEnv): boolean {
  return (env[CONTAINER_SIGNAL] ?? '').trim() !== '';
}

export const DEPLOY_HOOK = `${CONTAINER_PATHS.certbotScripts}/deploy-hook.sh`;
export const NGINX_ENTRYPOINT = `${CONTAINER_PATHS.nginxConfig}/entrypoint.sh`;
/** The ssl_certificate lines nginx/entrypoint.sh writes for its nginx version (the HTTPS site includes them). */
export const NGINX_TLS_CERTIFICATE_CONF = '/run/certkit-nginx/tls-certificate.conf';
/** Where nginx/entrypoint.sh writes, per other site, how it loads its certificate (ID.conf, included by its HTTPS file). */
export const NGINX_SITE_TLS_DIR = '/run/certkit-nginx/site-tls';

/**
 * The group that may read bundle.pem (mode 0640): nginx's worker processes read it at TLS handshakes, as the nginx
 * user, whose uid differs between images (101 in nginx:alpine, 33 in Debian). nginx/entrypoint.sh adds that user to
 * this group in the nginx container; the number is written there too, keep the two in step.
 */
export const KEY_READER_GID = 10443;

/** One certkit run at a time per stack: a lock file in the certbot container, cleared when it restarts. */
export const LOCK_PATH = '/tmp/certkit.lock';

/**
 * certbot's version, as `START VERSION`, in the certbot container's own filesystem: asking certbot costs a Python
 * start-up (a third of a second or more) at every run. A new image means a new container, which has no such file;
 * the start time in it catches a certbot changed inside the container and restarted.
 */
export const CERTBOT_VERSION_FILE = '/tmp/certkit-certbot-version';

/**
 * The CA's renewal windows (ARI) certkit asked for, kept in the certbot container until their Retry-After ends
 * (certbot/ari-cache.ts). Beside the store, not in it: a cache a recreated container may lose, never backed up.
 */
export const ARI_CACHE_DIR = '/tmp';
export const ARI_CACHE_NAME = 'certkit-ari.json';

/**
 * The app's own nginx (CERTKIT_NGINX_MODE=own) includes certkit-tls.conf, which includes this file of the deploy
 * folder by a wildcard: absent (no match, plain HTTP) until certkit writes it beside a deployed certificate, so the
 * switch to HTTPS lives and dies with the certificate it needs, whatever becomes of the nginx container.
 */
export const OWN_NGINX_HTTPS_SWITCH = 'nginx-https.conf';
/** What the switch includes: the rendered HTTPS settings (listen 443, certificate, redirect) in the mounted nginx/. */
export const OWN_NGINX_HTTPS_CONF = `${CONTAINER_PATHS.nginxConfig}/certkit-https.conf`;

export function deployDirFor(certName: string): string {
  return `${CONTAINER_PATHS.deploy}/${certName}`;
}

export function livePathFor(certName: string, file: 'cert.pem' | 'fullchain.pem' | 'chain.pem' | 'privkey.pem'): string {
  return `${CONTAINER_PATHS.letsencrypt}/live/${certName}/${file}`;
}

export function renewalConfPathFor(certName: string): string {
  return `${CONTAINER_PATHS.letsencrypt}/renewal/${certName}.conf`;
}

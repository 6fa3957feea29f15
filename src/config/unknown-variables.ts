import { closestName } from './closest-name.js';
import { DIFY_VARIABLES, difyVariableWarnings } from './dify-variables.js';
import type { EnvFile } from './read-env-file.js';

/** Every variable the kit reads: certkit itself, docker-compose.yaml's substitutions, and Compose's and Docker's own. */
export const KNOWN_VARIABLES: readonly string[] = [
  'CERTBOT_DOMAIN',
  'CERTBOT_CERT_NAME',
  'CERTBOT_EMAIL',
  'CERTBOT_OPTIONS',
  'CERTBOT_SERVER',
  'CERTBOT_KEY_TYPE',
  'CERTBOT_PROFILE',
  'CERTBOT_IMAGE',
  'NGINX_SERVER_NAME',
  'NGINX_HTTPS_PORT',
  'NGINX_HTTP_PORT',
  'NGINX_BIND',
  'NGINX_UPSTREAM',
  'CERTKIT_ROUTES',
  'CERTKIT_SITES_FILE',
  'CERTKIT_SITE_GRACE',
  'CERTKIT_SITES_NETWORK',
  'NGINX_HSTS_MAX_AGE',
  'NGINX_SSL_PROTOCOLS',
  'NGINX_CLIENT_MAX_BODY_SIZE',
  'NGINX_IMAGE',
  'CERTKIT_CHECK_INTERVAL',
  'CERTKIT_PREFLIGHT',
  'CERTKIT_DEPLOY_MODE',
  'CERTKIT_DEPLOY_OWNER',
  'CERTKIT_DEPLOY_CERT_MODE',
  'CERTKIT_DEPLOY_KEY_MODE',
  'CERTKIT_ALLOW_LOOSE_KEY_MODE',
  'CERTKIT_DEPLOY_DIR',
  'CERTKIT_LETSENCRYPT_DIR',
  'CERTKIT_DOCKER_SOCKET',
  'CERTKIT_IMAGE',
  'CERTKIT_PROXY_IMAGE',
  'CERTKIT_NGINX_TLS',
  'CERTKIT_NGINX_KEEPALIVE_MIN_TIMEOUT',
  'CERTKIT_NGINX_SERVICE',
  'CERTKIT_NGINX_MODE',
  'CERTKIT_METRICS_PORT',
  'CERTKIT_METRICS_BIND',
  'CERTKIT_METRICS_HOST_PORT',
  'CERTKIT_HEALTH_GRACE',
  'CERTKIT_HEALTHCHECK_INTERVAL',
  'CERTKIT_ALERT_WEBHOOK',
  // compose.swarm.yaml's, which `docker stack deploy` reads from the shell (docs/swarm.md).
  'CERTKIT_NGINX_REPLICAS',
  'CERTKIT_SWARM_CONF_VERSION',
  'PEBBLE_IMAGE',
  'PEBBLE_CHALLTESTSRV_IMAGE',
  'COMPOSE_PROJECT_NAME',
  'COMPOSE_FILE',
  'COMPOSE_PROFILES',
  'COMPOSE_PATH_SEPARATOR',
  'COMPOSE_ENV_FILES',
  'COMPOSE_PARALLEL_LIMIT',
  'COMPOSE_IGNORE_ORPHANS',
  'COMPOSE_REMOVE_ORPHANS',
  'COMPOSE_ANSI',
  'COMPOSE_STATUS_STDOUT',
  'COMPOSE_MENU',
  'COMPOSE_BAKE',
  'DOCKER_HOST',
  'DOCKER_TLS_VERIFY',
  'DOCKER_CERT_PATH',
  'DOCKER_CONTEXT',
  'CERTBOT_CHALLENGE',
  'CERTBOT_DNS_PLUGIN',
  'CERTBOT_DNS_CREDENTIALS',
  'CERTBOT_DNS_PROPAGATION_SECONDS',
  'CERTBOT_PLUGINS_DIR',
  'CERTBOT_TRUSTED_PLUGINS',
  // route53's credentials, which docker-compose.yaml passes to the certbot container alone (ROUTE53_VARIABLES).
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  // Set by the compose files on certkit's own services (CONTAINER_SIGNAL), never in .env.
  'CERTKIT_CONTAINER',
];

const KIT_PREFIX = /^(CERTBOT|CERTKIT|NGINX)_/;

/**
 * Warnings for variables that look meant for certkit but that nothing reads (`CERTBOT_DOMIAN=`), each naming the
 * variable it probably meant. Every key of `.env` is checked; from the environment only kit-prefixed keys are, since a
 * shell holds many unrelated variables. Warnings, not errors: the value is ignored and everything else still works.
 * Dify's own nginx and certbot names are known too (never suggested as a spelling), so a Dify .env stays quiet.
 */
export function unknownVariableWarnings(input: { env: NodeJS.ProcessEnv; file?: EnvFile | undefined }): string[] {
  const warnings: string[] = [];
  const known = new Set([...KNOWN_VARIABLES, ...Object.keys(DIFY_VARIABLES)]);
  const check = (key: string, where: string, all: boolean) => {
    if (known.has(key)) return;
    const guess = closestName(key.toUpperCase(), KNOWN_VARIABLES);
    if (guess) warnings.push(`${key}${where} is not a setting certkit knows, so it is ignored; did you mean ${guess}? Rename it.`);
    else if (KIT_PREFIX.test(key.toUpperCase()) && all)
      warnings.push(`${key}${where} is not a setting certkit knows, so it is ignored; .env.example lists every setting.`);
  };
  for (const key of Object.keys(input.file?.values ?? {}))
    check(key, input.file?.lines[key] ? ` (${input.file.path} line ${input.file.lines[key]})` : '', true);
  for (const key of Object.keys(input.env))
    if (KIT_PREFIX.test(key) && !Object.hasOwn(input.file?.values ?? {}, key)) check(key, ' (from the environment)', true);
  return [...warnings, ...difyVariableWarnings(input)];
}

import { OBSOLETE_SSL_PROTOCOLS } from './load-config.js';
import type { EnvFile } from './read-env-file.js';

/**
 * The nginx and certbot settings of Dify's docker/.env that certkit does not read as its own, and what becomes of
 * each, so that a Dify .env works unchanged (docs/dify.md: "Add HTTPS to Dify's docker/ folder"). The names both share
 * (CERTBOT_DOMAIN, CERTBOT_EMAIL, CERTBOT_OPTIONS, NGINX_SERVER_NAME, NGINX_SSL_PROTOCOLS, NGINX_CLIENT_MAX_BODY_SIZE)
 * are certkit settings with the same meaning, in KNOWN_VARIABLES.
 */
export const DIFY_VARIABLES: Readonly<Record<string, string>> = {
  NGINX_HTTPS_ENABLED:
    "replaced: certkit turns HTTPS on once a certificate is deployed; keep it false, or Dify's template adds a second HTTPS listener",
  NGINX_SSL_CERT_FILENAME: 'replaced: nginx serves the bundle certkit deploys',
  NGINX_SSL_CERT_KEY_FILENAME: 'replaced: nginx serves the bundle certkit deploys',
  NGINX_ENABLE_CERTBOT_CHALLENGE:
    "replaced: certkit's ACME include serves the challenge; keep it false, or Dify's template adds a duplicate location",
  NGINX_PORT: "Dify's nginx: the port it listens on for HTTP inside the container",
  NGINX_SSL_PORT: "Dify's nginx: keep 443, the port certkit's TLS include listens on inside the container",
  NGINX_WORKER_PROCESSES: "Dify's nginx only",
  NGINX_KEEPALIVE_TIMEOUT: "Dify's nginx only",
  NGINX_PROXY_READ_TIMEOUT: "Dify's nginx only",
  NGINX_PROXY_SEND_TIMEOUT: "Dify's nginx only",
  EXPOSE_NGINX_PORT: 'read as NGINX_HTTP_PORT when that is not set',
  EXPOSE_NGINX_SSL_PORT: 'read as NGINX_HTTPS_PORT when that is not set (the port HTTP redirects to)',
};

/** Dify switches that, turned on, add what certkit's includes already add (nginx refuses the pair). */
const CONFLICTS: readonly (readonly [string, string, string])[] = [
  [
    'NGINX_HTTPS_ENABLED',
    "an HTTPS listener of its own beside certkit's and nginx refuses the pair",
    'certkit turns HTTPS on by itself once a certificate is deployed',
  ],
  [
    'NGINX_ENABLE_CERTBOT_CHALLENGE',
    "an ACME location beside certkit's and nginx refuses the duplicate",
    'certkit-acme.conf serves the challenge',
  ],
];

/**
 * Dify settings whose value works against certkit: each warning names the variable, what happens and the fix. Values
 * come from the environment first, then the file, as in loadConfig.
 */
export function difyVariableWarnings(input: { env: NodeJS.ProcessEnv; file?: EnvFile | undefined }): string[] {
  const value = (key: string) => (input.env[key] ?? input.file?.values[key] ?? '').trim();
  const where = (key: string) =>
    input.env[key] === undefined && input.file?.lines[key] ? ` (${input.file.path} line ${input.file.lines[key]})` : '';
  const warnings: string[] = [];
  const obsolete = value('NGINX_SSL_PROTOCOLS')
    .split(/\s+/)
    .filter((word) => OBSOLETE_SSL_PROTOCOLS.includes(word));
  if (obsolete.length > 0) {
    warnings.push(
      `NGINX_SSL_PROTOCOLS${where('NGINX_SSL_PROTOCOLS')} lists ${obsolete.join(' and ')}, which certkit leaves out (deprecated, refused by current clients); remove ${obsolete.length > 1 ? 'them' : 'it'} to silence this.`,
    );
  }
  if (value('CERTKIT_NGINX_MODE') === 'own') {
    for (const [key, what, instead] of CONFLICTS) {
      if (/^(true|1|yes|on)$/i.test(value(key)))
        warnings.push(`${key}${where(key)} is true, so Dify's nginx template adds ${what}; set ${key}=false: ${instead}.`);
    }
  }
  return warnings;
}

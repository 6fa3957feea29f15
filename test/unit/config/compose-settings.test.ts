import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { isCertkitError } from '../../../src/errors.js';

/** The one problem loadConfig reports for this setting, or undefined when it is accepted. */
function problem(key: string, value: string): string | undefined {
  try {
    loadConfig({ env: { CERTBOT_DOMAIN: 'widgets.eu', [key]: value } });
    return undefined;
  } catch (error) {
    if (isCertkitError(error, 'CONFIG_INVALID')) return error.details.join('\n');
    throw error;
  }
}

// Settings only the compose files or nginx's entrypoint read: checked where certkit-init can refuse them.
describe('settings the compose files read', () => {
  it.each([
    ['NGINX_IMAGE', 'nginx:1.28.0-alpine'],
    ['NGINX_IMAGE', 'registry.widgets.eu:5000/team/nginx:1.30'],
    ['CERTKIT_IMAGE', 'certkit-test/certkit:0123abcd'],
    ['CERTKIT_PROXY_IMAGE', 'haproxy:3.2.4-alpine'],
    ['PEBBLE_IMAGE', `ghcr.io/letsencrypt/pebble@sha256:${'a'.repeat(64)}`],
    ['CERTKIT_NGINX_TLS', 'cached'],
    ['CERTKIT_NGINX_KEEPALIVE_MIN_TIMEOUT', '500ms'],
    ['CERTKIT_NGINX_KEEPALIVE_MIN_TIMEOUT', '0'],
    ['CERTKIT_HEALTHCHECK_INTERVAL', '1m30s'],
    ['CERTKIT_DEPLOY_DIR', './certs'],
    ['CERTKIT_DEPLOY_DIR', '/srv/certs'],
    ['CERTKIT_LETSENCRYPT_DIR', './volumes/certbot/conf'],
    ['CERTBOT_PLUGINS_DIR', 'certbot-plugins'],
    ['CERTKIT_DOCKER_SOCKET', '/run/user/1000/docker.sock'],
    ['CERTKIT_METRICS_BIND', '[::1]'],
    ['CERTKIT_METRICS_HOST_PORT', '9100'],
  ])('accepts %s=%s', (key, value) => {
    expect(problem(key, value)).toBeUndefined();
  });

  it.each([
    ['NGINX_IMAGE', 'Nginx:latest', 'is not an image reference'],
    ['CERTKIT_IMAGE', 'certkit:', 'is not an image reference'],
    ['CERTKIT_NGINX_TLS', 'fast', 'is not a certificate loading mode: use cached, handshake or reload'],
    ['CERTKIT_NGINX_KEEPALIVE_MIN_TIMEOUT', '1 s', "is not nginx's keepalive_min_timeout"],
    ['CERTKIT_HEALTHCHECK_INTERVAL', '30', 'is not a Compose duration like 30s'],
    ['CERTKIT_HEALTHCHECK_INTERVAL', '0s', 'is under a second'],
    ['CERTKIT_DEPLOY_DIR', 'certs', 'is neither the named volume certkit-deploy nor a host path'],
    ['CERTKIT_DEPLOY_DIR', './a:b', 'is neither the named volume certkit-deploy nor a host path'],
    ['CERTKIT_DOCKER_SOCKET', 'tcp://127.0.0.1:2375', "is not the absolute path of the Docker engine's socket"],
    ['CERTKIT_METRICS_BIND', 'localhost', 'is not an IP address'],
    ['CERTKIT_METRICS_HOST_PORT', '0', 'is not a port between 1 and 65535'],
  ])('refuses %s=%s', (key, value, message) => {
    expect(problem(key, value)).toContain(`${key}: "${value}" ${message}`);
  });
});

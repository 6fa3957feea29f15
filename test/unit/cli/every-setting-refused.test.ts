import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/main.js';
import { KNOWN_VARIABLES } from '../../../src/config/unknown-variables.js';

/**
 * A bad value for every setting the kit reads, and the settings around it that give it its meaning. Every command
 * reads the configuration through one loadConfig, so `render` (certkit-init) and `update` must refuse each of these
 * the same way: exit 2, the variable and the value named, before Docker is asked anything and before anything is
 * written. A variable added to KNOWN_VARIABLES without a bad value here fails the first test.
 */
const BAD: Record<string, { value: string; with?: Record<string, string> }> = {
  CERTBOT_DOMAIN: { value: 'xn--zz.widgets.eu' },
  CERTBOT_CERT_NAME: { value: 'Bad Name' },
  CERTBOT_EMAIL: { value: 'not-an-email' },
  CERTBOT_OPTIONS: { value: '--bogus-flag' },
  CERTBOT_SERVER: { value: 'ftp://ca.widgets.eu/dir' },
  CERTBOT_KEY_TYPE: { value: 'dsa' },
  CERTBOT_PROFILE: { value: 'short lived' },
  CERTBOT_IMAGE: { value: 'Certbot/DNS' },
  NGINX_SERVER_NAME: { value: 'bad!name' },
  NGINX_HTTPS_PORT: { value: '0' },
  NGINX_HTTP_PORT: { value: 'http' },
  NGINX_BIND: { value: '999.1.1.1' },
  NGINX_UPSTREAM: { value: 'ftp://web:3000' },
  CERTKIT_ROUTES: { value: 'nonsense' },
  CERTKIT_SITES_FILE: { value: 'sites/' },
  CERTKIT_SITE_GRACE: { value: '40d' },
  CERTKIT_SWARM_STACK: { value: 'my stack' },
  CERTKIT_SITES_NETWORK: { value: '-sites' },
  NGINX_HSTS_MAX_AGE: { value: '-1' },
  NGINX_SSL_PROTOCOLS: { value: 'SSLv3' },
  NGINX_CLIENT_MAX_BODY_SIZE: { value: 'lots' },
  NGINX_IMAGE: { value: 'nginx:bad tag' },
  CERTKIT_CHECK_INTERVAL: { value: '3w' },
  CERTKIT_PREFLIGHT: { value: 'maybe' },
  CERTKIT_DEPLOY_MODE: { value: 'move' },
  CERTKIT_DEPLOY_OWNER: { value: 'nginx' },
  CERTKIT_DEPLOY_CERT_MODE: { value: '999' },
  CERTKIT_DEPLOY_KEY_MODE: { value: '0666' },
  CERTKIT_ALLOW_LOOSE_KEY_MODE: { value: 'perhaps' },
  CERTKIT_DEPLOY_DIR: { value: 'certs' },
  CERTKIT_LETSENCRYPT_DIR: { value: 'volumes/certbot/conf' },
  CERTKIT_DOCKER_SOCKET: { value: 'docker.sock' },
  CERTKIT_IMAGE: { value: 'certkit:' },
  CERTKIT_PROXY_IMAGE: { value: 'HAProxy:3.2' },
  CERTKIT_NGINX_TLS: { value: 'fast' },
  CERTKIT_NGINX_KEEPALIVE_MIN_TIMEOUT: { value: '1;' },
  CERTKIT_NGINX_SERVICE: { value: '-nginx' },
  CERTKIT_NGINX_MODE: { value: 'theirs' },
  CERTKIT_METRICS_PORT: { value: '0' },
  CERTKIT_METRICS_BIND: { value: 'localhost' },
  CERTKIT_METRICS_HOST_PORT: { value: '70000' },
  CERTKIT_HEALTH_GRACE: { value: '2d' },
  CERTKIT_HEALTHCHECK_INTERVAL: { value: '30' },
  CERTKIT_ALERT_WEBHOOK: { value: 'ftp://hooks.widgets.eu/T0KEN' },
  PEBBLE_IMAGE: { value: 'ghcr.io/letsencrypt/Pebble' },
  PEBBLE_CHALLTESTSRV_IMAGE: { value: 'pebble challtestsrv' },
  COMPOSE_PROJECT_NAME: { value: 'My Project' },
  CERTBOT_CHALLENGE: { value: 'tls' },
  CERTBOT_DNS_PLUGIN: { value: 'rfc2163', with: { CERTBOT_CHALLENGE: 'dns' } },
  CERTBOT_DNS_CREDENTIALS: {
    value: '/nonexistent/certkit-test/cf.ini',
    with: { CERTBOT_CHALLENGE: 'dns', CERTBOT_DNS_PLUGIN: 'cloudflare', CERTBOT_IMAGE: 'certbot/dns-cloudflare:v5.1.0' },
  },
  CERTBOT_DNS_PROPAGATION_SECONDS: { value: '7200', with: { CERTBOT_CHALLENGE: 'dns', CERTBOT_DNS_PLUGIN: 'route53' } },
  CERTBOT_PLUGINS_DIR: { value: 'plugins' },
  CERTBOT_TRUSTED_PLUGINS: { value: 'dns-standalone!' },
  // Dify's names for the published ports, read when certkit's are unset.
  EXPOSE_NGINX_PORT: { value: '0' },
  EXPOSE_NGINX_SSL_PORT: { value: '99999' },
};

/** Known names certkit leaves to their owner, and why. */
const NOT_CERTKITS = new Set([
  // Compose's and Docker's own: the Compose CLI reads and checks them before any container runs.
  ...KNOWN_VARIABLES.filter((name) => /^(COMPOSE|DOCKER)_/.test(name) && name !== 'COMPOSE_PROJECT_NAME'),
  // route53's secrets: passed to the certbot container alone, where the DNS-01 preflight checks they are set.
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  // Set by the compose files on certkit's own services, never by a user.
  'CERTKIT_CONTAINER',
  // compose.swarm.yaml's: `docker stack deploy` reads them from the shell (not .env) and refuses a bad one; no certkit
  // command reads them yet (docs/swarm.md).
  'CERTKIT_NGINX_REPLICAS',
  'CERTKIT_SWARM_CONF_VERSION',
]);

/** Values that are secrets are named by position, never echoed. */
const SECRET = new Set(['CERTKIT_ALERT_WEBHOOK']);

describe('every setting the kit reads: a bad value is refused by render and update alike', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'certkit-every-setting-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('has a bad value for every known variable certkit checks', () => {
    expect(KNOWN_VARIABLES.filter((name) => !NOT_CERTKITS.has(name) && !Object.hasOwn(BAD, name))).toEqual([]);
  });

  for (const [key, { value, with: around }] of Object.entries(BAD)) {
    it.each(['render', 'update'])(
      `${key}=${value}: \`certkit %s\` exits 2 naming it, before Docker and before writing`,
      async (command) => {
        const lines = Object.entries({ CERTBOT_DOMAIN: 'widgets.eu', ...around, [key]: value }).map(([name, text]) => `${name}=${text}\n`);
        await writeFile(join(dir, '.env'), lines.join(''));
        let stderr = '';
        let engines = 0;
        const code = await run([command], {
          env: {},
          cwd: dir,
          stdout: () => undefined,
          stderr: (text) => void (stderr += text),
          createEngine: () => {
            engines += 1;
            throw new Error('Docker was asked');
          },
        });
        expect(code, stderr).toBe(2);
        expect(engines).toBe(0);
        expect(await readdir(dir)).toEqual(['.env']);
        const line = stderr.split('\n').find((text) => text.includes(`${key}`) && !text.includes('warning')) ?? '';
        expect(line, stderr).not.toBe('');
        if (SECRET.has(key)) expect(stderr).not.toContain(value);
        else expect(line).toContain(value);
        // Each message says what to do, not only what is wrong.
        expect(line).toMatch(/\b(use|like|write|set|remove|leave|between|did you mean|run|create|separate|only|try)\b|e\.g\./i);
      },
    );
  }
});

describe('the DNS credentials file, where this process can see it', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'certkit-credentials-'));
    const dns = {
      CERTBOT_DOMAIN: 'widgets.eu',
      ...BAD['CERTBOT_DNS_CREDENTIALS']?.with,
      CERTBOT_DNS_CREDENTIALS: '/nonexistent/certkit-test/cf.ini',
    };
    await writeFile(
      join(dir, '.env'),
      Object.entries(dns)
        .map(([name, text]) => `${name}=${text}\n`)
        .join(''),
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const render = async (env: NodeJS.ProcessEnv) => {
    let stderr = '';
    const code = await run(['render'], { env, cwd: dir, stdout: () => undefined, stderr: (text) => void (stderr += text) });
    return { code, stderr };
  };

  it('on the host (no CERTKIT_CONTAINER, whatever /.dockerenv says): a missing file is refused with its path', async () => {
    const { code, stderr } = await render({});
    expect(code).toBe(2);
    expect(stderr).toContain('CERTBOT_DNS_CREDENTIALS: "/nonexistent/certkit-test/cf.ini" does not exist');
  });

  it('in a certkit container without the mount (the daemon): left to the certbot preflight, which sees the file', async () => {
    const { code, stderr } = await render({ CERTKIT_CONTAINER: 'certkit', COMPOSE_PROJECT_NAME: 'ck' });
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

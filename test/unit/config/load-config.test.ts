import { describe, expect, it } from 'vitest';
import { ACME_SERVERS } from '../../../src/config/acme-servers.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { parseEnvFile } from '../../../src/config/read-env-file.js';
import { CertkitError, isCertkitError } from '../../../src/errors.js';

/** A `.env` text from lines; line N of the file is lines[N - 1]. */
const envFile = (...lines: string[]) => parseEnvFile('.env', `${lines.join('\n')}\n`);

/** Loads a config that must fail, and returns the error. */
function loadError(input: Parameters<typeof loadConfig>[0]): CertkitError {
  try {
    loadConfig(input);
  } catch (error) {
    if (isCertkitError(error, 'CONFIG_INVALID')) return error;
    throw error;
  }
  throw new Error('loadConfig accepted an invalid configuration');
}

/** The one problem reported for a single bad value of `key`, set on line 3 of `.env`. */
function problemFor(key: string, value: string): string {
  const file = envFile('# certkit', key === 'CERTBOT_DOMAIN' ? '' : 'CERTBOT_DOMAIN=widgets.eu', `${key}=${value}`);
  const error = loadError({ env: {}, file });
  expect(error.details).toHaveLength(1);
  return error.details[0] as string;
}

describe('loadConfig defaults', () => {
  it('fills every optional value from a .env that only names the domain', () => {
    const config = loadConfig({ env: {}, file: envFile('CERTBOT_DOMAIN=widgets.eu') });
    expect(config).toEqual({
      domains: ['widgets.eu'],
      certName: 'widgets.eu',
      email: undefined,
      certbotOptions: [],
      server: { name: 'production', url: ACME_SERVERS.production },
      keyType: { type: 'ecdsa', curve: 'secp256r1' },
      challenge: { type: 'http' },
      trustedPlugins: [],
      nginx: {
        serverNames: ['widgets.eu'],
        httpsPort: 443,
        httpPort: 80,
        upstream: undefined,
        routes: [],
        hstsMaxAge: 0,
        sslProtocols: ['TLSv1.2', 'TLSv1.3'],
        clientMaxBodySize: '100M',
        service: 'nginx',
        mode: 'kit',
      },
      checkIntervalMs: 12 * 3_600_000,
      preflight: true,
      deploy: { mode: 'copy', owner: '', certMode: '0644', keyMode: '0600' },
      sites: { file: 'sites.yaml', graceMs: 86_400_000 },
      composeProjectName: undefined,
      swarm: undefined,
      monitoring: { metricsPort: 9464, healthGraceMs: 1_200_000, alertWebhooks: [] },
    });
  });

  it('works without any .env file', () => {
    expect(loadConfig({ env: { CERTBOT_DOMAIN: 'widgets.eu' } }).domains).toEqual(['widgets.eu']);
  });

  it('names the certificate after the first domain unless CERTBOT_CERT_NAME is set', () => {
    expect(loadConfig({ env: { CERTBOT_DOMAIN: 'www.widgets.eu,widgets.eu' } }).certName).toBe('www.widgets.eu');
    expect(loadConfig({ env: { CERTBOT_DOMAIN: 'widgets.eu', CERTBOT_CERT_NAME: 'site' } }).certName).toBe('site');
  });

  it('serves the certificate names in nginx unless NGINX_SERVER_NAME is set', () => {
    expect(loadConfig({ env: { CERTBOT_DOMAIN: 'a.widgets.eu,b.widgets.eu' } }).nginx.serverNames).toEqual([
      'a.widgets.eu',
      'b.widgets.eu',
    ]);
    expect(loadConfig({ env: { CERTBOT_DOMAIN: 'widgets.eu', NGINX_SERVER_NAME: '_' } }).nginx.serverNames).toEqual(['_']);
  });

  it('reads the .env.example shape (empty optional values mean "not set")', () => {
    const config = loadConfig({
      env: {},
      file: envFile(
        'CERTBOT_DOMAIN=widgets.eu,www.widgets.eu',
        'CERTBOT_EMAIL=admin@widgets.eu',
        'CERTBOT_CERT_NAME=',
        'CERTBOT_OPTIONS=',
        'NGINX_UPSTREAM=',
        'NGINX_SERVER_NAME=',
        'NGINX_SSL_PROTOCOLS=TLSv1.2 TLSv1.3',
      ),
    });
    expect(config.certName).toBe('widgets.eu');
    expect(config.email).toBe('admin@widgets.eu');
    expect(config.nginx.upstream).toBeUndefined();
    expect(config.nginx.serverNames).toEqual(['widgets.eu', 'www.widgets.eu']);
  });
});

describe('CERTBOT_DOMAIN', () => {
  it('is required: empty or missing is an error that says what to set', () => {
    expect(problemFor('CERTBOT_DOMAIN', '')).toMatch(/^CERTBOT_DOMAIN: "" is empty; set it to the name\(s\)/);
    const error = loadError({ env: {} });
    expect(error.details).toEqual([expect.stringMatching(/^CERTBOT_DOMAIN: "" is empty/)]);
  });

  it('splits on commas, lowercases, drops trailing dots and duplicates, keeps order', () => {
    const config = loadConfig({ env: { CERTBOT_DOMAIN: ' Widgets.EU, www.widgets.eu , widgets.eu. ,WWW.Widgets.eu' } });
    expect(config.domains).toEqual(['widgets.eu', 'www.widgets.eu']);
  });

  it.each([
    ['exa mple.com', '"exa mple.com" is not a hostname'],
    ['exa_mple.com', '"exa_mple.com" is not a hostname'],
    ['-widgets.eu', '"-widgets.eu" is not a hostname'],
    ['a.*.widgets.eu', '"a.*.widgets.eu" is not a hostname'],
    ['192.0.2.300', '"192.0.2.300" looks like an IP address but is not a valid IPv4 or IPv6 address'],
    ['2001:db8:::1', '"2001:db8:::1" looks like an IP address but is not a valid IPv4 or IPv6 address'],
    ['bücher.example', '"bücher.example" has non-ASCII letters; certificates hold the punycode form: write "xn--bcher-kva.example"'],
    ['localhost', '"localhost" is a single label, not a fully qualified name; write the whole name'],
    [`${'a'.repeat(64)}.widgets.eu`, 'is not a hostname'],
  ])('refuses %j, naming the value, the reason and the .env line', (value, reason) => {
    const problem = problemFor('CERTBOT_DOMAIN', value);
    expect(problem).toContain(`CERTBOT_DOMAIN: ${JSON.stringify(value)} is not valid: `);
    expect(problem).toContain(reason);
    expect(problem).toMatch(/\(\.env line 3\)$/);
  });

  it('accepts punycode names', () => {
    expect(loadConfig({ env: { CERTBOT_DOMAIN: 'xn--bcher-kva.de' } }).domains).toEqual(['xn--bcher-kva.de']);
  });

  it.each([
    ['CERTBOT_DOMAIN', 'xn--zz.widgets.eu'],
    ['NGINX_SERVER_NAME', 'xn--bcher-kv.widgets.eu'],
    ['NGINX_UPSTREAM', 'http://xn--zz:3000'],
    ['CERTKIT_ROUTES', '/api=xn--zz:5001'],
    ['CERTBOT_SERVER', 'https://acme.xn--zz.widgets.eu/directory'],
  ])('refuses malformed punycode in %s (%s): a label that does not decode', (key, value) => {
    expect(problemFor(key, value)).toMatch(/"xn--[a-z-]+" starts with xn-- but is not valid punycode/);
  });

  it.each([
    ['https://shop.widgets.eu', 'starts with the scheme "https://"; remove it: the names are hostnames alone, e.g. "shop.widgets.eu"'],
    ['http://shop.widgets.eu/', 'starts with the scheme "http://"; remove it'],
    ['shop.widgets.eu:443', 'ends with the port ":443"; remove it (write "shop.widgets.eu")'],
    ['shop.widgets.eu:8443', 'ends with the port ":8443"; remove it'],
    ['shop.widgets.eu/app', 'has a path ("/app"); remove it'],
    ['admin@widgets.eu', 'has an "@"'],
    [
      'exa_mple.com',
      'is not a hostname: it has the character "_" at position 4; a hostname holds only letters a-z, digits, hyphens and dots',
    ],
    ['exa mple.com', 'it has a space at position 4'],
    ['-shop.widgets.eu', 'its label "-shop" starts with a hyphen; a label must start and end with a letter or digit'],
    ['shop-.widgets.eu', 'its label "shop-" ends with a hyphen'],
    ['shop..widgets.eu', 'it has an empty label at position 6 (a dot at the start or two dots in a row); remove the extra dot'],
    ['.widgets.eu', 'it has an empty label at position 1'],
    [`${'a'.repeat(64)}.widgets.eu`, 'is 64 characters long, over the 63 a label may have; shorten it'],
    ['999.1.1.1', 'looks like an IP address but is not a valid IPv4 or IPv6 address'],
    ['bücher.de', 'write "xn--bcher-kva.de"'],
    ['straße.de', 'write "xn--strae-oqa.de"'],
  ])('states the rule %j breaks and the fix', (value, message) => {
    const problem = problemFor('CERTBOT_DOMAIN', value);
    expect(problem).toContain(`CERTBOT_DOMAIN: ${JSON.stringify(value)} is not valid: `);
    expect(problem).toContain(message);
    if (!message.includes('IP address')) expect(problem).not.toContain('is an IP address');
  });

  it.each([
    ['example.com', 'placeholder', 'example.com'],
    ['www.example.org', 'placeholder', 'example.org'],
    ['shop.example.net', 'placeholder', 'example.net'],
    ['site.example', 'placeholder', 'example'],
    ['shop.test', 'placeholder', 'test'],
    ['a.invalid', 'placeholder', 'invalid'],
    ['app.localhost', 'placeholder', 'localhost'],
    ['nas.local', 'private-network', 'local'],
    ['git.internal', 'private-network', 'internal'],
    ['router.home.arpa', 'private-network', 'home.arpa'],
    ['nas.lan', 'private-network', 'lan'],
    ['intra.corp', 'private-network', 'corp'],
  ])('refuses %j for a public CA as a %s name, saying what to put instead', (value, kind, suffix) => {
    for (const server of ['production', 'staging']) {
      const details = loadError({ env: { CERTBOT_DOMAIN: `shop.widgets.eu,${value}`, CERTBOT_SERVER: server } }).details;
      expect(details).toEqual([expect.stringMatching(new RegExp(`^CERTBOT_DOMAIN: "${value.replace(/\./g, '\\.')}" is a ${kind}`))]);
      expect(details[0]).toContain(`names under "${suffix}"`);
      expect(details[0]).toContain(
        `(CERTBOT_SERVER is ${server}). Put your own domain, whose DNS points at this server; to try certkit without one, set CERTBOT_SERVER=pebble`,
      );
    }
    expect(loadConfig({ env: { CERTBOT_DOMAIN: value, CERTBOT_SERVER: 'pebble' } }).domains).toEqual([value]);
  });

  it.each(['admin@example.com', 'me@mail.example.org', 'ops@nas.local'])(
    "refuses the placeholder contact %j for Let's Encrypt, not for pebble",
    (email) => {
      const details = loadError({ env: { CERTBOT_DOMAIN: 'shop.widgets.eu', CERTBOT_EMAIL: email } }).details;
      expect(details).toEqual([
        expect.stringMatching(
          new RegExp(
            `^CERTBOT_EMAIL: "${email.replace(/\./g, '\\.')}" is at a (placeholder|private-network) domain .*; put an address you read, or leave it empty to register without one$`,
          ),
        ),
      ]);
      expect(loadConfig({ env: { CERTBOT_DOMAIN: 'shop.test', CERTBOT_EMAIL: email, CERTBOT_SERVER: 'pebble' } }).email).toBe(email);
    },
  );

  it('lets a custom CA issue for private-network names, not for placeholders', () => {
    const custom = 'https://ca.widgets.eu/acme/directory';
    expect(loadConfig({ env: { CERTBOT_DOMAIN: 'git.internal', CERTBOT_SERVER: custom } }).domains).toEqual(['git.internal']);
    expect(loadError({ env: { CERTBOT_DOMAIN: 'shop.example.com', CERTBOT_SERVER: custom } }).details[0]).toContain('is a placeholder');
  });

  it("refuses more than 100 names, Let's Encrypt's limit", () => {
    const names = Array.from({ length: 101 }, (_, index) => `n${index}.widgets.eu`).join(',');
    expect(loadError({ env: { CERTBOT_DOMAIN: names } }).details[0]).toContain('more than 100 names');
  });
});

describe('CERTBOT_EMAIL', () => {
  it('accepts an address, and empty (registers without one)', () => {
    expect(loadConfig({ env: { CERTBOT_DOMAIN: 'widgets.eu', CERTBOT_EMAIL: 'Admin@Widgets.eu' } }).email).toBe('Admin@Widgets.eu');
    expect(loadConfig({ env: { CERTBOT_DOMAIN: 'widgets.eu', CERTBOT_EMAIL: '' } }).email).toBeUndefined();
  });

  it.each(['admin', 'admin@', 'admin@localhost', 'a b@widgets.eu', 'admin@widgets.eu;rm', '"admin"@widgets.eu'])('refuses %j', (value) => {
    const problem = problemFor('CERTBOT_EMAIL', value);
    expect(problem).toBe(
      `CERTBOT_EMAIL: ${JSON.stringify(value)} is not an email address (expected someone@example.com, or leave it empty to register without one) (.env line 3)`,
    );
  });
});

describe('CERTBOT_OPTIONS', () => {
  const load = (value: string) => loadConfig({ env: { CERTBOT_DOMAIN: 'widgets.eu', CERTBOT_OPTIONS: value } });
  const problem = (value: string) => loadError({ env: { CERTBOT_DOMAIN: 'widgets.eu', CERTBOT_OPTIONS: value } }).details;

  it('splits quoted values into single words, as a shell would, without running one', () => {
    expect(load('--preferred-chain "ISRG Root X1"').certbotOptions).toEqual(['--preferred-chain', 'ISRG Root X1']);
    expect(load("--preferred-chain='ISRG Root X1'  -v").certbotOptions).toEqual(['--preferred-chain=ISRG Root X1', '-v']);
  });

  it('reads a quoted value from .env', () => {
    const config = loadConfig({
      env: {},
      file: envFile('CERTBOT_DOMAIN=widgets.eu', `CERTBOT_OPTIONS='--preferred-chain "ISRG Root X1"'`),
    });
    expect(config.certbotOptions).toEqual(['--preferred-chain', 'ISRG Root X1']);
  });

  it.each([
    ['--quiet; rm -rf /', '";"'],
    ['--email $(id)@widgets.eu', '"$"'],
    ['--quiet `id`', '"`"'],
    ['--quiet | tee /tmp/x', '"|"'],
    ['--quiet && reboot', '"&"'],
    ['--quiet\nreboot', '"\\n"'],
    ['--quiet > /tmp/x', '">"'],
    ['--quiet \\\nreboot', '"\\\\"'],
  ])('refuses shell metacharacters in %j', (value, shown) => {
    expect(problem(value)).toEqual([
      `CERTBOT_OPTIONS: ${JSON.stringify(value)} contains the shell character ${shown}; certbot flags never need one (remove it, or quote a value with plain quotes) (from the environment)`,
    ]);
  });

  it.each([
    ['--standalone', '--standalone', 'certkit validates over HTTP-01'],
    ['--cert-name x', '--cert-name', 'CERTBOT_CERT_NAME'],
    ['--cert-name=x', '--cert-name', 'CERTBOT_CERT_NAME'],
    ['--must-staple', '--must-staple', 'OCSP'],
    ['--dns-cloudflare', '--dns-cloudflare', 'the DNS plugin and its settings come from CERTBOT_CHALLENGE=dns, CERTBOT_DNS_PLUGIN'],
    [
      '--dns-cloudflare-credentials=/x.ini',
      '--dns-cloudflare-credentials',
      'the DNS plugin and its settings come from CERTBOT_CHALLENGE=dns, CERTBOT_DNS_PLUGIN',
    ],
    ['-d x', '-d', 'CERTBOT_DOMAIN'],
    ['-a standalone', '-a', 'certkit validates over HTTP-01'],
    ['--server https://ca.example/dir', '--server', 'CERTBOT_SERVER'],
    ['--staging', '--staging', 'CERTBOT_SERVER'],
    ['--key-type rsa', '--key-type', 'CERTBOT_KEY_TYPE'],
    ['--force-renewal', '--force-renewal', 'certkit update --force'],
    ['--deploy-hook /x.sh', '--deploy-hook', 'its own deploy hook'],
    ['--dry-run', '--dry-run', 'certkit update --dry-run'],
  ])('refuses %j, naming the flag and what to use instead', (value, flag, instead) => {
    const [message] = problem(value);
    expect(message).toContain(`CERTBOT_OPTIONS: ${JSON.stringify(value)} sets ${flag}`);
    expect(message).toContain(instead);
  });

  it.each([
    ['-dexample.org', '-d'],
    ['-w/tmp', '-w'],
    ['-mroot@example.org', '-m'],
    ['-astandalone', '-a'],
    ['-nd', '-d'],
    ['-vvqa', '-a'],
  ])('refuses a short flag with its value attached or clustered, %j, as certbot reads %s', (value, flag) => {
    expect(problem(value)[0]).toContain(`sets ${flag},`);
  });

  it('allows value-less short flags such as -vv and -nq', () => {
    expect(load('-vv -nq').certbotOptions).toEqual(['-vv', '-nq']);
  });

  it('refuses a refused flag even after accepted words', () => {
    expect(problem('--preferred-chain "ISRG Root X1" --standalone')[0]).toContain('sets --standalone');
  });
});

describe('CERTBOT_SERVER', () => {
  const server = (value: string) => loadConfig({ env: { CERTBOT_DOMAIN: 'widgets.eu', CERTBOT_SERVER: value } }).server;

  it('knows production, staging and pebble by name, in any case', () => {
    expect(server('production')).toEqual({ name: 'production', url: ACME_SERVERS.production });
    expect(server('Staging')).toEqual({ name: 'staging', url: ACME_SERVERS.staging });
    expect(server('pebble')).toEqual({ name: 'pebble', url: ACME_SERVERS.pebble });
  });

  it('accepts any https directory URL as a custom server', () => {
    expect(server('https://ca.widgets.eu:8443/acme/directory')).toEqual({
      name: 'custom',
      url: 'https://ca.widgets.eu:8443/acme/directory',
    });
  });

  it.each(['http://ca.widgets.eu/directory', 'letsencrypt', 'https://ca.widgets.eu/dir?x=1', 'constructor', 'toString'])(
    'refuses %j',
    (value) => {
      expect(problemFor('CERTBOT_SERVER', value)).toBe(
        `CERTBOT_SERVER: ${JSON.stringify(value)} is not an ACME server: use production, staging, pebble, or an https:// directory URL (.env line 3)`,
      );
    },
  );
});

describe('CERTBOT_KEY_TYPE', () => {
  it.each([
    ['ecdsa-p256', { type: 'ecdsa', curve: 'secp256r1' }],
    ['ECDSA-P384', { type: 'ecdsa', curve: 'secp384r1' }],
    ['rsa-2048', { type: 'rsa', size: 2048 }],
    ['rsa-3072', { type: 'rsa', size: 3072 }],
    ['rsa-4096', { type: 'rsa', size: 4096 }],
  ])('reads %j', (value, keyType) => {
    expect(loadConfig({ env: { CERTBOT_DOMAIN: 'widgets.eu', CERTBOT_KEY_TYPE: value } }).keyType).toEqual(keyType);
  });

  it.each(['ecdsa-p521', 'rsa-1024', 'ed25519', 'constructor'])('refuses %j, listing the key types there are', (value) => {
    expect(problemFor('CERTBOT_KEY_TYPE', value)).toBe(
      `CERTBOT_KEY_TYPE: ${JSON.stringify(value)} is not a key type: use one of ecdsa-p256, ecdsa-p384, rsa-2048, rsa-3072, rsa-4096 (.env line 3)`,
    );
  });
});

describe('nginx and daemon settings', () => {
  it('reads ports, upstream, HSTS, protocols, body size, interval and preflight', () => {
    const config = loadConfig({
      env: {
        CERTBOT_DOMAIN: 'widgets.eu',
        NGINX_HTTPS_PORT: '8443',
        NGINX_HTTP_PORT: '8080',
        NGINX_UPSTREAM: 'http://web:3000/',
        NGINX_HSTS_MAX_AGE: '31536000',
        NGINX_SSL_PROTOCOLS: 'TLSv1.3',
        NGINX_CLIENT_MAX_BODY_SIZE: '512k',
        CERTKIT_CHECK_INTERVAL: '30m',
        CERTKIT_PREFLIGHT: 'off',
        COMPOSE_PROJECT_NAME: 'my-app',
      },
    });
    expect(config.nginx).toMatchObject({
      httpsPort: 8443,
      httpPort: 8080,
      upstream: 'http://web:3000',
      hstsMaxAge: 31536000,
      sslProtocols: ['TLSv1.3'],
      clientMaxBodySize: '512k',
    });
    expect(config.checkIntervalMs).toBe(30 * 60_000);
    expect(config.preflight).toBe(false);
    expect(config.composeProjectName).toBe('my-app');
  });

  it.each([
    ['NGINX_HTTPS_PORT', '0', 'is not a port between 1 and 65535'],
    ['NGINX_HTTPS_PORT', '70000', 'is not a port between 1 and 65535'],
    ['NGINX_HTTP_PORT', 'eighty', 'is not a port number'],
    [
      'NGINX_UPSTREAM',
      'http://web:3000/api',
      'has the path "/api"; nginx passes the request path on as it came, so leave the path out; expected scheme, host and port only, like http://web:3000',
    ],
    ['NGINX_UPSTREAM', 'http://web;evil', 'has the character ";" in its host at position 4'],
    ['NGINX_SSL_PROTOCOLS', 'TLSv1', 'is not a list of TLS versions'],
    ['NGINX_CLIENT_MAX_BODY_SIZE', '1T', 'is not a size like 100M'],
    ['NGINX_SERVER_NAME', 'a;b', 'is not valid: "a;b" is not a server name for nginx'],
    ['NGINX_HSTS_MAX_AGE', '-1', 'is not a number of seconds'],
    ['CERTKIT_CHECK_INTERVAL', '2d', 'is not an interval between 1s and 1d'],
    ['CERTKIT_PREFLIGHT', 'maybe', 'is not true or false'],
    ['COMPOSE_PROJECT_NAME', 'My App', 'is not a Compose project name'],
    ['CERTBOT_CERT_NAME', 'Site Name', 'is not a certificate name'],
  ])('refuses %s=%j', (key, value, message) => {
    const problem = problemFor(key, value);
    expect(problem.startsWith(`${key}: ${JSON.stringify(value)} ${message}`)).toBe(true);
    expect(problem).toMatch(/\(\.env line 3\)$/);
  });

  it("refuses checks more often than once a minute against Let's Encrypt production, but not against pebble", () => {
    expect(loadError({ env: { CERTBOT_DOMAIN: 'widgets.eu', CERTKIT_CHECK_INTERVAL: '30s' } }).details[0]).toContain('under a minute');
    expect(
      loadConfig({ env: { CERTBOT_DOMAIN: 'widgets.eu', CERTKIT_CHECK_INTERVAL: '30s', CERTBOT_SERVER: 'pebble' } }).checkIntervalMs,
    ).toBe(30_000);
  });
});

describe('CERTKIT_SWARM_STACK', () => {
  it('switches Swarm mode on with the stack name, from .env or the environment', () => {
    expect(loadConfig({ env: {}, file: envFile('CERTBOT_DOMAIN=widgets.eu', 'CERTKIT_SWARM_STACK=certkit') }).swarm).toEqual({
      stack: 'certkit',
    });
    expect(loadConfig({ env: { CERTKIT_SWARM_STACK: 'shop_1.a' }, file: envFile('CERTBOT_DOMAIN=widgets.eu') }).swarm).toEqual({
      stack: 'shop_1.a',
    });
    expect(loadConfig({ env: { CERTKIT_SWARM_STACK: '' }, file: envFile('CERTBOT_DOMAIN=widgets.eu') }).swarm).toBeUndefined();
  });

  it("refuses a name Swarm's secret names cannot start with, or too long to leave room, naming the value and the fix", () => {
    expect(() =>
      loadConfig({ env: {}, file: envFile('CERTBOT_DOMAIN=widgets.eu', `CERTKIT_SWARM_STACK=${'s'.repeat(42)}`) }),
    ).not.toThrow();
    expect(problemFor('CERTKIT_SWARM_STACK', 's'.repeat(43))).toMatch(/CERTKIT_SWARM_STACK.*"s{43}".*43 characters.*at most 42.*line 3/);
    expect(problemFor('CERTKIT_SWARM_STACK', 'my stack')).toMatch(
      /CERTKIT_SWARM_STACK.*"my stack".*use letters, digits.*docker stack deploy/,
    );
    expect(problemFor('CERTKIT_SWARM_STACK', '-certkit')).toMatch(/starting and ending with a letter or digit/);
  });
});

describe('where values come from', () => {
  it('lets the environment override the .env file, as Compose does', () => {
    const file = envFile('CERTBOT_DOMAIN=file.widgets.eu', 'CERTBOT_SERVER=staging');
    const config = loadConfig({ env: { CERTBOT_DOMAIN: 'env.widgets.eu' }, file });
    expect(config.domains).toEqual(['env.widgets.eu']);
    expect(config.server.name).toBe('staging');
  });

  it('blames the environment, not the .env line, when the bad value comes from the environment', () => {
    const file = envFile('CERTBOT_DOMAIN=widgets.eu', 'CERTBOT_EMAIL=ok@widgets.eu');
    const error = loadError({ env: { CERTBOT_EMAIL: 'nope' }, file });
    expect(error.details).toEqual([expect.stringMatching(/^CERTBOT_EMAIL: "nope" .* \(from the environment\)$/)]);
  });

  it('points at the last line that sets a key, the one dotenv uses', () => {
    const file = envFile('CERTBOT_DOMAIN=widgets.eu', 'CERTBOT_KEY_TYPE=rsa-2048', '', 'export CERTBOT_KEY_TYPE=dsa');
    expect(loadError({ env: {}, file }).details[0]).toMatch(/^CERTBOT_KEY_TYPE: "dsa" .*\(\.env line 4\)$/);
  });

  it('reports every problem at once, each naming its variable, value and line', () => {
    const file = envFile(
      'CERTBOT_DOMAIN=exa mple.com', //
      'CERTBOT_EMAIL=nobody',
      'CERTBOT_OPTIONS=--standalone',
      'CERTBOT_SERVER=letsencrypt',
      'CERTBOT_KEY_TYPE=dsa',
      'NGINX_HTTPS_PORT=99999',
    );
    const error = loadError({ env: {}, file });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.details).toHaveLength(6);
    expect(error.details.map((line) => line.split(':', 1)[0])).toEqual([
      'CERTBOT_DOMAIN',
      'CERTBOT_EMAIL',
      'CERTBOT_OPTIONS',
      'CERTBOT_SERVER',
      'CERTBOT_KEY_TYPE',
      'NGINX_HTTPS_PORT',
    ]);
    error.details.forEach((line, index) => expect(line).toMatch(new RegExp(`\\(\\.env line ${index + 1}\\)$`)));
    expect(error.details[0]).toContain('"exa mple.com"');
    expect(error.message).toMatch(/^Invalid configuration \(6 problems\):\n {2}CERTBOT_DOMAIN/);
    for (const line of error.details) expect(error.message).toContain(line);
  });
});

describe('nginx values a serving nginx depends on', () => {
  it.each([
    ['NGINX_UPSTREAM', 'http://web:0', 'has the port 0, outside 1-65535'],
    ['NGINX_UPSTREAM', 'http://web:65536', 'has the port 65536, outside 1-65535'],
    ['NGINX_UPSTREAM', 'http://web:99999', 'has the port 99999, outside 1-65535'],
    ['NGINX_UPSTREAM', 'http://web:abc', 'has the port "abc", which is not a number'],
    ['NGINX_UPSTREAM', 'http://:3000', 'has no host'],
    ['NGINX_UPSTREAM', 'http://we b:3000', 'has the character " " in its host at position 3'],
    ['NGINX_UPSTREAM', 'http://-web:3000', 'whose label "-web" is empty, over 63 characters, or starts or ends with a hyphen'],
    ['NGINX_UPSTREAM', 'http://web..app:3000', 'whose label "" is empty'],
    ['NGINX_UPSTREAM', 'http://999.1.1.1:80', 'has "999.1.1.1", which is not an IPv4 address'],
    ['NGINX_UPSTREAM', 'http://[::g]:80', 'has "[::g]", which is not an IPv6 address'],
    ['NGINX_UPSTREAM', 'web:3000', 'has no http:// or https:// scheme'],
    ['NGINX_UPSTREAM', 'ftp://web:21', 'has a scheme nginx cannot proxy to'],
    ['NGINX_BIND', '999.1.1.1', 'is not an IP address to publish nginx on; use 0.0.0.0'],
    ['NGINX_BIND', 'localhost', 'is not an IP address to publish nginx on'],
    ['NGINX_BIND', '127.0.0.1:80', 'is not an IP address to publish nginx on'],
    ['NGINX_BIND', '::1', 'is an IPv6 address without brackets; Compose needs them here: write "[::1]"'],
    ['NGINX_BIND', '[::g]', 'is not an IP address to publish nginx on'],
    ['CERTKIT_DEPLOY_KEY_MODE', '0644', 'lets every user on the host read the private key'],
    ['CERTKIT_DEPLOY_KEY_MODE', '0777', 'lets every user on the host'],
    ['CERTKIT_DEPLOY_KEY_MODE', '604', 'lets every user on the host'],
    ['CERTKIT_DEPLOY_KEY_MODE', '0660', 'lets the group write or run the private key'],
  ])('%s=%j is refused: %s', (key, value, message) => {
    const problem = problemFor(key, value);
    expect(problem.startsWith(`${key}: `)).toBe(true);
    expect(problem).toContain(JSON.stringify(value).slice(1, -1));
    expect(problem).toContain(message);
  });

  it.each([
    ['NGINX_UPSTREAM', 'http://web:3000', 'http://web:3000'],
    ['NGINX_UPSTREAM', 'HTTPS://My_App.internal:8443/', 'https://My_App.internal:8443'],
    ['NGINX_UPSTREAM', 'http://10.0.0.5', 'http://10.0.0.5'],
    ['NGINX_UPSTREAM', 'http://[fd00::5]:8080', 'http://[fd00::5]:8080'],
  ])('%s=%j is accepted as %j', (key, value, expected) => {
    expect(loadConfig({ env: { CERTBOT_DOMAIN: 'widgets.eu', [key]: value } }).nginx.upstream).toBe(expected);
  });

  it.each(['0.0.0.0', '127.0.0.1', '[::]', '[::1]'])('NGINX_BIND=%j is accepted', (value) => {
    expect(() => loadConfig({ env: { CERTBOT_DOMAIN: 'widgets.eu', NGINX_BIND: value } })).not.toThrow();
  });

  it.each([
    ['443', '443'],
    ['8080', '8080'],
  ])('refuses equal HTTP and HTTPS ports (%s and %s)', (https, http) => {
    const details = loadError({ env: { CERTBOT_DOMAIN: 'widgets.eu', NGINX_HTTPS_PORT: https, NGINX_HTTP_PORT: http } }).details;
    expect(details).toEqual([
      `NGINX_HTTPS_PORT and NGINX_HTTP_PORT: both are ${https}, but nginx needs one host port for HTTP (the ACME challenge and the redirect) and another for HTTPS; set different ports, e.g. NGINX_HTTP_PORT=80 and NGINX_HTTPS_PORT=443`,
    ]);
    expect(loadError({ env: { CERTBOT_DOMAIN: 'widgets.eu', NGINX_HTTP_PORT: '443' } }).details[0]).toContain('both are 443');
  });

  it("names Dify's port variables when the equal ports come from them, with the fix in their names", () => {
    const details = loadError({
      env: {},
      file: envFile('CERTBOT_DOMAIN=widgets.eu', 'EXPOSE_NGINX_PORT=8443', 'EXPOSE_NGINX_SSL_PORT=8443'),
    }).details;
    expect(details).toEqual([
      'EXPOSE_NGINX_SSL_PORT and EXPOSE_NGINX_PORT: both are 8443, but nginx needs one host port for HTTP (the ACME challenge and the redirect) and another for HTTPS; set different ports, e.g. EXPOSE_NGINX_PORT=80 and EXPOSE_NGINX_SSL_PORT=443',
    ]);
  });

  it('names the opt-in for a loose key mode, and the fix', () => {
    expect(problemFor('CERTKIT_DEPLOY_KEY_MODE', '0644')).toBe(
      'CERTKIT_DEPLOY_KEY_MODE: "0644" lets every user on the host read the private key; use 0600, or 0640 with CERTKIT_DEPLOY_OWNER for a consumer in the file\'s group. If you really need it, set CERTKIT_ALLOW_LOOSE_KEY_MODE=true',
    );
  });

  it.each(['0600', '0640', '0400', '0440', '600'])('accepts the key mode %j', (value) => {
    expect(loadConfig({ env: { CERTBOT_DOMAIN: 'widgets.eu', CERTKIT_DEPLOY_KEY_MODE: value } }).deploy.keyMode).toBe(
      value.padStart(4, '0'),
    );
  });

  it('accepts a loose key mode with CERTKIT_ALLOW_LOOSE_KEY_MODE=true', () => {
    const config = loadConfig({
      env: { CERTBOT_DOMAIN: 'widgets.eu', CERTKIT_DEPLOY_KEY_MODE: '0644', CERTKIT_ALLOW_LOOSE_KEY_MODE: 'true' },
    });
    expect(config.deploy.keyMode).toBe('0644');
  });
});

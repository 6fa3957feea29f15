import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIFY_VARIABLES } from '../../../src/config/dify-variables.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { parseEnvFile } from '../../../src/config/read-env-file.js';
import { KNOWN_VARIABLES, unknownVariableWarnings } from '../../../src/config/unknown-variables.js';

const DIFY_ENV = readFileSync(resolve(import.meta.dirname, '../../fixtures/dify-style.env'), 'utf8');
const difyFile = (...changes: string[]) => parseEnvFile('.env', `${DIFY_ENV}${changes.join('\n')}\n`);

describe("a Dify-style .env (Dify's variable names)", () => {
  it('is accepted unchanged: no error, no warning', () => {
    const file = difyFile();
    expect(unknownVariableWarnings({ env: {}, file })).toEqual([]);
    const config = loadConfig({ env: {}, file });
    expect(config).toMatchObject({
      domains: ['dify.widgets.eu'],
      email: 'ops@widgets.eu',
      certbotOptions: [],
      nginx: { serverNames: ['_'], httpsPort: 443, httpPort: 80, sslProtocols: ['TLSv1.2', 'TLSv1.3'], service: 'nginx', mode: 'kit' },
    });
  });

  it('stays quiet in the environment too (compose env_file), and with certkit in mode own', () => {
    const values = difyFile().values;
    expect(unknownVariableWarnings({ env: { ...values, CERTKIT_NGINX_MODE: 'own' } })).toEqual([]);
  });

  it('documents every Dify nginx and certbot name certkit does not read itself', () => {
    const names = Object.keys(difyFile().values).filter((name) => /^(NGINX|CERTBOT|EXPOSE_NGINX)_/.test(name));
    const known = new Set(KNOWN_VARIABLES);
    expect(names.filter((name) => !known.has(name) && !Object.hasOwn(DIFY_VARIABLES, name))).toEqual([]);
  });

  it('reads the published ports from EXPOSE_NGINX_SSL_PORT and EXPOSE_NGINX_PORT when certkit names none', () => {
    const config = loadConfig({ env: {}, file: difyFile('EXPOSE_NGINX_SSL_PORT=8443', 'EXPOSE_NGINX_PORT=8080') });
    expect(config.nginx).toMatchObject({ httpsPort: 8443, httpPort: 8080 });
    const own = loadConfig({ env: {}, file: difyFile('EXPOSE_NGINX_SSL_PORT=8443', 'NGINX_HTTPS_PORT=9443') });
    expect(own.nginx.httpsPort).toBe(9443);
  });

  it('names the variable and line when a Dify port is not a port', () => {
    expect(() => loadConfig({ env: {}, file: difyFile('EXPOSE_NGINX_SSL_PORT=https') })).toThrow(
      /EXPOSE_NGINX_SSL_PORT: "https" is not a port number: use one between 1 and 65535 \(\.env line \d+\)/,
    );
  });

  it("takes an older Dify's TLSv1.1 in NGINX_SSL_PROTOCOLS, leaves it out and says so", () => {
    const file = difyFile('NGINX_SSL_PROTOCOLS=TLSv1.1 TLSv1.2 TLSv1.3');
    expect(loadConfig({ env: {}, file }).nginx.sslProtocols).toEqual(['TLSv1.2', 'TLSv1.3']);
    expect(unknownVariableWarnings({ env: {}, file })).toEqual([
      expect.stringMatching(/^NGINX_SSL_PROTOCOLS \(\.env line \d+\) lists TLSv1\.1, which certkit leaves out/),
    ]);
    expect(() => loadConfig({ env: {}, file: difyFile('NGINX_SSL_PROTOCOLS=TLSv1.1') })).toThrow(/is not a list of TLS versions/);
  });

  it("warns, in mode own, about Dify switches that would add what certkit's includes add", () => {
    const file = difyFile('NGINX_HTTPS_ENABLED=true', 'NGINX_ENABLE_CERTBOT_CHALLENGE=true');
    expect(unknownVariableWarnings({ env: {}, file })).toEqual([]);
    const warnings = unknownVariableWarnings({ env: { CERTKIT_NGINX_MODE: 'own' }, file });
    expect(warnings).toEqual([
      expect.stringMatching(/^NGINX_HTTPS_ENABLED \(\.env line \d+\) is true, .*set NGINX_HTTPS_ENABLED=false/),
      expect.stringMatching(/^NGINX_ENABLE_CERTBOT_CHALLENGE \(\.env line \d+\) is true, .*set NGINX_ENABLE_CERTBOT_CHALLENGE=false/),
    ]);
  });
});

describe('the nginx certkit drives', () => {
  it("is certkit's own by default, or the service CERTKIT_NGINX_SERVICE names in mode own", () => {
    const config = loadConfig({ env: { CERTBOT_DOMAIN: 'widgets.eu', CERTKIT_NGINX_MODE: 'own', CERTKIT_NGINX_SERVICE: 'gateway' } });
    expect(config.nginx).toMatchObject({ mode: 'own', service: 'gateway' });
  });

  it.each([
    ['CERTKIT_NGINX_MODE', 'theirs', 'is not an nginx mode: use kit'],
    ['CERTKIT_NGINX_SERVICE', 'my nginx', 'is not a Compose service name'],
  ])('refuses %s=%j', (key, value, message) => {
    expect(() => loadConfig({ env: { CERTBOT_DOMAIN: 'widgets.eu', [key]: value } })).toThrow(
      `${key}: ${JSON.stringify(value)} ${message}`,
    );
  });
});

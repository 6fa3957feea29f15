import { execFileSync } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { standaloneCertonlyArgv } from '../../../src/certbot/certbot-argv.js';
import type { Config } from '../../../src/config/config.js';
import { isCertkitError } from '../../../src/errors.js';
import { buildRenderContext } from '../../../src/render/render-context.js';
import {
  createRenderer,
  RENDER_TARGETS,
  renderOne,
  renderTemplates,
  writeRenderedFiles,
  type RenderedFile,
} from '../../../src/render/render-templates.js';
import { makeConfig } from '../support/make-config.js';
import { CONFIG_STAMP_PATH, CONFIG_STAMP_PLACEHOLDER } from '../../../src/render/config-stamp.js';

const TEMPLATES = fileURLToPath(new URL('../../../templates', import.meta.url));

const tempDirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'certkit-render-'));
  tempDirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A copy of the real templates folder that a test may change. */
async function copyOfTemplates(): Promise<string> {
  const dir = join(await tempDir(), 'templates');
  await cp(TEMPLATES, dir, { recursive: true });
  return dir;
}

const render = (config: Config, templatesDir = TEMPLATES) => renderTemplates(templatesDir, buildRenderContext(config));
const contentOf = (files: RenderedFile[], output: string): string => {
  const file = files.find((candidate) => candidate.output === output);
  if (!file) throw new Error(`${output} was not rendered`);
  return file.content;
};

/** Fails with the CertkitError `code`, and returns it. */
async function rejection(promise: Promise<unknown>, code: Parameters<typeof isCertkitError>[1]): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(isCertkitError(error, code), String(error)).toBe(true);
  return error as Error;
}

describe('renderTemplates on the real templates', () => {
  const config = makeConfig({
    CERTBOT_DOMAIN: 'widgets.eu,www.widgets.eu',
    CERTBOT_EMAIL: 'admin@widgets.eu',
    CERTBOT_OPTIONS: '--preferred-chain "ISRG Root X1"',
  });

  it('renders every target', async () => {
    const files = await render(config);
    expect(files.map((file) => file.output)).toEqual(RENDER_TARGETS.map((target) => target.output));
    expect(files.filter((file) => file.executable).map((file) => file.output)).toEqual([
      'certbot/entrypoint.sh',
      'certbot/update-cert.sh',
      'certbot/deploy-hook.sh',
    ]);
  });

  it('is deterministic: the same config renders byte-identical files', async () => {
    expect(await render(config)).toEqual(await render(config));
  });

  it('writes LF line endings only', async () => {
    for (const file of await render(config)) expect(file.content, file.output).not.toContain('\r');
  });

  it('writes LF even from templates checked out with CRLF (Windows)', async () => {
    const templatesDir = await copyOfTemplates();
    for (const target of RENDER_TARGETS) {
      const path = join(templatesDir, target.template);
      await writeFile(path, (await readFile(path, 'utf8')).replace(/\n/g, '\r\n'));
    }
    const files = await render(config, templatesDir);
    for (const file of files) expect(file.content, file.output).not.toContain('\r');
    expect(files).toEqual(await render(config));
  });

  it('renders scripts that /bin/sh can parse', async () => {
    const dir = await tempDir();
    await writeRenderedFiles(dir, await render(config));
    for (const target of RENDER_TARGETS.filter((candidate) => candidate.executable)) {
      expect(() => execFileSync('/bin/sh', ['-n', join(dir, target.output)])).not.toThrow();
    }
  });

  it('renders an update-cert.sh that runs certbot with exactly the planned arguments, plus the ones it is given', async () => {
    const dir = await tempDir();
    await writeRenderedFiles(dir, await render(config));
    const bin = join(dir, 'bin');
    // A stand-in certbot that prints each argument it gets, NUL-terminated.
    await mkdir(bin);
    await writeFile(join(bin, 'certbot'), '#!/bin/sh\nprintf \'%s\\0\' "$@"\n');
    await chmod(join(bin, 'certbot'), 0o755);
    const output = execFileSync('/bin/sh', [join(dir, 'certbot', 'update-cert.sh'), '--dry-run'], {
      encoding: 'utf8',
      env: { PATH: `${bin}:/usr/bin:/bin` },
    });
    const argv = output.split('\0').slice(0, -1);
    expect(argv).toEqual([...standaloneCertonlyArgv(config), '--dry-run']);
    expect(argv).toContain('ISRG Root X1');
  });
});

describe('the nginx sites', () => {
  it('name the deployed bundle (key and full chain) for the certificate lines nginx/entrypoint.sh writes', async () => {
    const https = contentOf(await render(makeConfig({ CERTBOT_DOMAIN: 'widgets.eu,www.widgets.eu' })), 'nginx/site-https.conf');
    expect(https).toContain('map $ssl_server_name $certkit_tls_bundle {\n    default /etc/certkit/deploy/widgets.eu/bundle.pem;\n}');
    expect(https).toContain('include /run/certkit-nginx/tls-certificate.conf;');
    // One resolution of tls/current.pem per handshake (the map is nginx.conf's, shared by every site).
    expect(await readFile(join(TEMPLATES, '../nginx/nginx.conf'), 'utf8')).toContain(
      'map $ssl_server_name $certkit_tls_file {\n        default $realpath_root;\n    }',
    );
    expect(https).toContain('server_name widgets.eu www.widgets.eu;');
    expect(https).toContain('ssl_protocols TLSv1.2 TLSv1.3;');
  });

  it('redirect to the published HTTPS port when it is not 443', async () => {
    const https = contentOf(await render(makeConfig({ NGINX_HTTPS_PORT: '8443' })), 'nginx/site-https.conf');
    expect(https).toContain('return 301 https://$host:8443$request_uri;');
  });

  it('redirect without a port when HTTPS is on 443', async () => {
    const https = contentOf(await render(makeConfig({ NGINX_HTTPS_PORT: '443' })), 'nginx/site-https.conf');
    expect(https).toContain('return 301 https://$host$request_uri;');
    expect(https).not.toMatch(/\$host:\d/);
  });

  it('serve the ACME challenge from the shared webroot over plain HTTP in both sites', async () => {
    const files = await render(makeConfig());
    for (const output of ['nginx/site-http.conf', 'nginx/site-https.conf']) {
      expect(contentOf(files, output)).toContain('location ^~ /.well-known/acme-challenge/ {\n        root /var/www/certbot;');
    }
  });

  it('answer the stamp of the rendering on port 80 in both sites and in the include for an own nginx (issue 19)', async () => {
    const files = await render(makeConfig());
    for (const output of ['nginx/site-http.conf', 'nginx/site-https.conf', 'nginx/certkit-acme.conf']) {
      expect(contentOf(files, output)).toContain(
        `location = ${CONFIG_STAMP_PATH} {\n        default_type text/plain;\n        return 200 "${CONFIG_STAMP_PLACEHOLDER}\\n";`,
      );
    }
  });

  it('proxy to NGINX_UPSTREAM when set, and serve a placeholder page otherwise', async () => {
    const proxied = contentOf(await render(makeConfig({ NGINX_UPSTREAM: 'http://web:3000' })), 'nginx/site-http.conf');
    expect(proxied).toContain('set $certkit_upstream http://web:3000;');
    expect(proxied).not.toContain('return 200 "certkit: nginx is serving');
    const placeholder = contentOf(await render(makeConfig()), 'nginx/site-http.conf');
    expect(placeholder).not.toContain('proxy_pass');
    expect(placeholder).toContain('return 200 "certkit: nginx is serving');
  });

  it('render one location per CERTKIT_ROUTES route, each with websockets and long timeouts, and 404 for unrouted paths', async () => {
    const files = await render(makeConfig({ CERTKIT_ROUTES: '/api=api:5001,/e/=plugin:5002' }));
    for (const output of ['nginx/site-http.conf', 'nginx/site-https.conf']) {
      const site = contentOf(files, output);
      expect(site).toContain('    location /api {\n');
      expect(site).toContain('set $certkit_upstream http://api:5001;');
      expect(site).toContain('    location /e/ {\n');
      expect(site).toContain('set $certkit_upstream http://plugin:5002;');
      expect(site.match(/proxy_set_header Upgrade \$http_upgrade;/g)).toHaveLength(2);
      expect(site.match(/proxy_read_timeout 3600s;/g)).toHaveLength(2);
      expect(site).toContain('return 404 "certkit: no route for this path');
    }
    const withRoot = contentOf(
      await render(makeConfig({ CERTKIT_ROUTES: '/api=api:5001', NGINX_UPSTREAM: 'http://web:3000' })),
      'nginx/site-http.conf',
    );
    expect(withRoot.match(/location \/ \{/g)).toHaveLength(1);
    expect(withRoot).toContain('set $certkit_upstream http://web:3000;');
    expect(withRoot).not.toContain('return 404');
  });

  it('refuse the site over plain HTTP once a certificate is deployed (the http site is then only a fallback)', async () => {
    for (const env of [{}, { NGINX_UPSTREAM: 'http://web:3000' }] as Array<Record<string, string>>) {
      const files = await render(makeConfig(env));
      expect(contentOf(files, 'nginx/site-http.conf')).toContain(
        '        if (-f /etc/certkit/deploy/widgets.eu/bundle.pem) {\n            return 503 ',
      );
      expect(contentOf(files, 'nginx/site-https.conf')).not.toContain('return 503');
    }
  });

  it('send HSTS only when NGINX_HSTS_MAX_AGE is above 0', async () => {
    expect(contentOf(await render(makeConfig()), 'nginx/site-https.conf')).not.toContain('Strict-Transport-Security');
    expect(contentOf(await render(makeConfig({ NGINX_HSTS_MAX_AGE: '31536000' })), 'nginx/site-https.conf')).toContain(
      'add_header Strict-Transport-Security "max-age=31536000" always;',
    );
  });
});

describe('writeRenderedFiles', () => {
  const config = makeConfig();

  it('makes scripts executable (0755) and configs readable (0644)', async () => {
    const dir = await tempDir();
    const changed = await writeRenderedFiles(dir, await render(config));
    expect(changed).toEqual(RENDER_TARGETS.map((target) => target.output));
    for (const target of RENDER_TARGETS) {
      const mode = (await stat(join(dir, target.output))).mode & 0o777;
      expect(mode.toString(8), target.output).toBe(target.executable ? '755' : '644');
    }
  });

  it('leaves unchanged files alone and returns nothing', async () => {
    const dir = await tempDir();
    const files = await render(config);
    await writeRenderedFiles(dir, files);
    const before = await Promise.all(files.map((file) => stat(join(dir, file.output))));
    expect(await writeRenderedFiles(dir, await render(config))).toEqual([]);
    const after = await Promise.all(files.map((file) => stat(join(dir, file.output))));
    expect(after.map((entry) => [entry.ino, entry.mtimeMs])).toEqual(before.map((entry) => [entry.ino, entry.mtimeMs]));
  });

  it('rewrites only the files whose content changed', async () => {
    const dir = await tempDir();
    await writeRenderedFiles(dir, await render(config));
    const changed = await writeRenderedFiles(dir, await render(makeConfig({ NGINX_HTTPS_PORT: '8443' })));
    expect(changed).toEqual(['nginx/site-https.conf', 'nginx/certkit-https.conf']);
  });

  it('restores the run bit of an unchanged script without reporting a change', async () => {
    const dir = await tempDir();
    const files = await render(config);
    await writeRenderedFiles(dir, files);
    await chmod(join(dir, 'certbot/entrypoint.sh'), 0o644);
    expect(await writeRenderedFiles(dir, files)).toEqual([]);
    expect((await stat(join(dir, 'certbot/entrypoint.sh'))).mode & 0o777).toBe(0o755);
  });
});

describe('broken templates', () => {
  it('fail with TEMPLATE_MISSING_VALUE naming the template and the missing value', async () => {
    const templatesDir = await copyOfTemplates();
    const path = join(templatesDir, 'nginx/site-http.conf.hbs');
    await writeFile(path, `${await readFile(path, 'utf8')}# {{nope}}\n`);
    const error = await rejection(render(makeConfig(), templatesDir), 'TEMPLATE_MISSING_VALUE');
    expect(error.message).toContain('template nginx/site-http.conf.hbs uses "nope"');
  });

  it('fail with TEMPLATE_NOT_FOUND naming the missing template', async () => {
    const templatesDir = await copyOfTemplates();
    await rm(join(templatesDir, 'certbot/deploy-hook.sh.hbs'));
    const error = await rejection(render(makeConfig(), templatesDir), 'TEMPLATE_NOT_FOUND');
    expect(error.message).toContain('template certbot/deploy-hook.sh.hbs is missing');
  });
});

describe('the template helpers', () => {
  const renderer = createRenderer();
  const one = (source: string, context: Record<string, unknown>) => renderOne(renderer, 'test.hbs', source, context);

  it('ngx passes names, paths and space-separated lists through', () => {
    expect(one('server_name {{ngx names}};', { names: 'widgets.eu www.widgets.eu' })).toBe('server_name widgets.eu www.widgets.eu;');
    expect(one('root {{ngx path}};', { path: '/var/www/certbot' })).toBe('root /var/www/certbot;');
  });

  it.each(['widgets.eu; return 200', 'a}b', 'a{b', 'a"b', "a'b", 'a\nb', 'a\tb', '$host', 'a#b', 'a\\b'])(
    'ngx refuses %j, which could end or change a directive',
    (value) => {
      let thrown: unknown;
      try {
        one('server_name {{ngx value}};', { value });
      } catch (error) {
        thrown = error;
      }
      expect(isCertkitError(thrown, 'TEMPLATE_MISSING_VALUE')).toBe(true);
      expect((thrown as Error).message).toContain('template test.hbs could not be rendered');
      expect((thrown as Error).message).toContain('is not safe in an nginx directive');
    },
  );

  it('sh and shArgs quote values into words /bin/sh reads back unchanged', () => {
    const script = one("printf '%s\\0' {{sh one}} {{shArgs many}}", { one: "it's $(id)", many: ['a b', '`id`', ''] });
    const words = execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' }).split('\0').slice(0, -1);
    expect(words).toEqual(["it's $(id)", 'a b', '`id`', '']);
  });

  it('does not HTML-escape values', () => {
    expect(one('{{value}}', { value: '<a&b>' })).toBe('<a&b>');
  });
});

describe('IP-address certificates in the rendered files', () => {
  it('nginx serves the certificate as the default server (clients connecting by address send no SNI) and names IPv6 in brackets', async () => {
    const files = await render(makeConfig({ CERTBOT_DOMAIN: '192.0.2.10,fd00::5' }));
    const https = contentOf(files, 'nginx/site-https.conf');
    expect(https).toContain('include /run/certkit-nginx/listen-https-default.conf;');
    expect(https).toContain('server_name 192.0.2.10 [fd00::5];');
    expect(https).toContain('default /etc/certkit/deploy/192.0.2.10/bundle.pem;');
  });

  it('update-cert.sh asks for the addresses with --ip-address under the shortlived profile', async () => {
    const script = contentOf(await render(makeConfig({ CERTBOT_DOMAIN: '192.0.2.10' })), 'certbot/update-cert.sh');
    expect(script).toMatch(/--ip-address'? '?192\.0\.2\.10/);
    expect(script).toMatch(/--required-profile'? '?shortlived/);
  });

  it('update-cert.sh runs the DNS plugin, with the plugins folder on the path only when a plugin from it is trusted', async () => {
    const dns = { CERTBOT_DOMAIN: 'widgets.eu,*.widgets.eu', CERTBOT_CHALLENGE: 'dns', CERTBOT_DNS_PLUGIN: 'standalone' };
    const untrusted = contentOf(await render(makeConfig(dns)), 'certbot/update-cert.sh');
    expect(untrusted).toMatch(/--authenticator'? '?dns-standalone/);
    expect(untrusted).not.toContain('PYTHONPATH');
    const trusted = contentOf(await render(makeConfig({ ...dns, CERTBOT_TRUSTED_PLUGINS: 'dns-standalone' })), 'certbot/update-cert.sh');
    expect(trusted).toMatch(/^export PYTHONPATH='?\/opt\/certkit\/plugins'?$/m);
  });
});

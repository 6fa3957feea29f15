import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine, ExecResult, ServiceContainer } from '../../../src/docker/engine.js';
import { isCertkitError } from '../../../src/errors.js';
import { ownNginxProblem, switchOwnNginxToHttps } from '../../../src/nginx/own-nginx.js';
import { CONTAINER_PATHS } from '../../../src/stack/layout.js';
import { buildRenderContext } from '../../../src/render/render-context.js';
import { renderTemplates } from '../../../src/render/render-templates.js';
import { makeConfig } from '../support/make-config.js';

const TEMPLATES = fileURLToPath(new URL('../../../templates', import.meta.url));

async function snippets(env: Record<string, string>): Promise<Record<string, string>> {
  const files = await renderTemplates(TEMPLATES, buildRenderContext(makeConfig({ CERTBOT_DOMAIN: 'app.widgets.eu', ...env })));
  return Object.fromEntries(files.filter((file) => file.role === 'snippet').map((file) => [file.output, file.content]));
}

const directives = (text: string) => text.split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));

describe("the includes for an app's own nginx", () => {
  it('render an ACME location, a TLS include gated on the deployed switch, and the HTTPS settings', async () => {
    const files = await snippets({ NGINX_SSL_PROTOCOLS: 'TLSv1.3', EXPOSE_NGINX_SSL_PORT: '8443' });
    expect(Object.keys(files).sort()).toEqual(['nginx/certkit-acme.conf', 'nginx/certkit-https.conf', 'nginx/certkit-tls.conf']);
    expect(directives(files['nginx/certkit-acme.conf'] as string)[0]?.trim()).toBe('location ^~ /.well-known/acme-challenge/ {');
    // A wildcard: no match (plain HTTP) until certkit writes the switch beside the deployed certificate.
    expect(directives(files['nginx/certkit-tls.conf'] as string)).toEqual([
      'include /etc/certkit/deploy/app.widgets.eu/nginx-https*.conf;',
    ]);
    const https = directives(files['nginx/certkit-https.conf'] as string);
    expect(https).toEqual(
      expect.arrayContaining([
        'listen 443 ssl;',
        'ssl_certificate /etc/certkit/deploy/app.widgets.eu/bundle.pem;',
        'ssl_certificate_key /etc/certkit/deploy/app.widgets.eu/bundle.pem;',
        'ssl_protocols TLSv1.3;',
        'set $certkit_https_redirect $scheme;',
        'if ($uri ~ ^/\\.well-known/acme-challenge/) {',
        'if ($certkit_https_redirect = http) {',
        '    return 301 https://$host:8443$request_uri;',
      ]),
    );
    expect(https.some((line) => /^\s*(server|location)\b/.test(line))).toBe(false);
  });

  it('add HSTS only when NGINX_HSTS_MAX_AGE is set', async () => {
    expect((await snippets({}))['nginx/certkit-https.conf']).not.toContain('Strict-Transport-Security');
    expect((await snippets({ NGINX_HSTS_MAX_AGE: '63072000' }))['nginx/certkit-https.conf']).toContain(
      'add_header Strict-Transport-Security "max-age=63072000" always;',
    );
  });
});

describe('ownNginxProblem', () => {
  const dump = (files: string[]) => files.map((file) => `# configuration file ${file}:\n...\n`).join('');

  it('is nothing when nginx accepts the configuration and it reaches certkit-https.conf', () => {
    const stdout = dump([
      '/etc/nginx/nginx.conf',
      '/etc/certkit/nginx/certkit-tls.conf',
      '/etc/certkit/deploy/a/nginx-https.conf',
      '/etc/certkit/nginx/certkit-https.conf',
    ]);
    expect(ownNginxProblem({ exitCode: 0, stdout, stderr: '' }, 'nginx')).toBeUndefined();
  });

  it("names the include line to add when the app's configuration does not include certkit's", () => {
    expect(ownNginxProblem({ exitCode: 0, stdout: dump(['/etc/nginx/nginx.conf']), stderr: '' }, 'gateway')).toMatch(
      /the nginx configuration of the gateway service does not include certkit's TLS settings: add `include \/etc\/certkit\/nginx\/certkit-tls\.conf;`/,
    );
    // The usual cause after it once worked: an app upgrade put back a file the lines were edited into.
    expect(ownNginxProblem({ exitCode: 0, stdout: dump(['/etc/nginx/nginx.conf']), stderr: '' }, 'nginx')).toContain(
      "in Dify's docker/, add compose.dify.yaml to COMPOSE_FILE instead",
    );
  });

  it("passes on nginx's own words when it refuses the configuration", () => {
    const stderr = 'nginx: [emerg] duplicate listen options for 0.0.0.0:443 in /etc/certkit/nginx/certkit-https.conf:5';
    expect(ownNginxProblem({ exitCode: 1, stdout: '', stderr }, 'nginx')).toContain(stderr);
  });
});

/**
 * The switch script runs for real under the host's /bin/sh, in a temp folder standing for the deploy folder; nginx's
 * answer to `nginx -T` is the test's. Every other engine call is refused.
 */
const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((root) => rmSync(root, { recursive: true, force: true })));

function switchBed(nginxT: { exitCode: number; stdout: string; stderr: string }) {
  const root = mkdtempSync(join(tmpdir(), 'certkit-own-nginx-'));
  roots.push(root);
  const local = (path: string) => path.replace(CONTAINER_PATHS.deploy, root);
  const calls: string[] = [];
  const container = (service: string) => ({ id: service, name: service, service }) as ServiceContainer;
  const engine = {
    exec: async (id: string, argv: readonly string[]): Promise<ExecResult> => {
      calls.push(
        `${id}: ${argv[0]} ${argv
          .slice(1)
          .filter((word) => !word.includes('\n'))
          .join(' ')}`.trim(),
      );
      if (id === 'nginx') return nginxT;
      const run = spawnSync(argv[0] as string, argv.slice(1).map(local), { encoding: 'utf8' });
      return { exitCode: run.status ?? 1, stdout: run.stdout, stderr: run.stderr };
    },
  } as unknown as Engine;
  const switchFile = join(root, 'site', 'nginx-https.conf');
  return {
    root,
    calls,
    switchFile,
    run: () => switchOwnNginxToHttps(engine, { nginx: container('nginx'), certbot: container('certbot') }, 'site'),
  };
}

describe('switchOwnNginxToHttps', () => {
  const accepted = { exitCode: 0, stdout: '# configuration file /etc/certkit/nginx/certkit-https.conf:\n', stderr: '' };
  const refused = { exitCode: 1, stdout: '', stderr: 'nginx: [emerg] a duplicate listen 0.0.0.0:443' };
  const withBundle = (bed: { root: string }) => {
    mkdirSync(join(bed.root, 'site'));
    writeFileSync(join(bed.root, 'site', 'bundle.pem'), 'key and chain');
  };

  it('writes the switch beside the bundle, then has nginx check it', async () => {
    const bed = switchBed(accepted);
    withBundle(bed);
    await bed.run();
    expect(readFileSync(bed.switchFile, 'utf8')).toBe('include /etc/certkit/nginx/certkit-https.conf;\n');
    expect(bed.calls.at(-1)).toBe('nginx: nginx -T');
  });

  it('removes a switch it wrote when nginx refuses it, and passes on why', async () => {
    const bed = switchBed(refused);
    withBundle(bed);
    const error = await bed.run().catch((caught: unknown) => caught);
    expect(isCertkitError(error, 'NGINX_CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toContain('a duplicate listen 0.0.0.0:443');
    expect(existsSync(bed.switchFile)).toBe(false);
  });

  it('keeps a switch that was there before (a renewal): nginx keeps serving with it', async () => {
    const bed = switchBed(refused);
    withBundle(bed);
    writeFileSync(bed.switchFile, 'include /etc/certkit/nginx/certkit-https.conf;\n');
    await expect(bed.run()).rejects.toThrow(/refused its configuration/);
    expect(existsSync(bed.switchFile)).toBe(true);
  });

  it('writes nothing and asks nginx nothing while no bundle is deployed', async () => {
    const bed = switchBed(accepted);
    await expect(bed.run()).rejects.toThrow(/no certificate bundle is deployed at \/etc\/certkit\/deploy\/site\/bundle\.pem yet/);
    expect(bed.calls.some((call) => call.startsWith('nginx:'))).toBe(false);
  });
});

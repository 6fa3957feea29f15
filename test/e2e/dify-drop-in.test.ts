import { cp, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { httpGet } from './support/http.js';
import { appOnlyCompose, writeDifyStyleEnv } from './support/own-nginx-app.js';
import { REPO, TestStack } from './support/stack.js';
import { probeCertificate } from './support/tls.js';
import { waitUntil } from './support/wait.js';

const dockerMissing = inject('dockerMissing');

// docs/dify.md "Add HTTPS to Dify's docker/ folder" on an app shaped like Dify's (its nginx renders a template with its
// environment; its own certbot service; certbot's store mounted into nginx): certkit joins through
// compose.own-nginx.yaml and compose.dify.yaml with no edit to the app's files, and an upgrade that puts the app's
// released files back keeps HTTPS. One stack, in order.
describe.skipIf(dockerMissing !== '')("certkit as a drop-in for Dify's docker/ folder", () => {
  let stack: TestStack;
  const appFiles = new Map<string, string>();
  const template = 'nginx/conf.d/default.conf.template';

  const servesHttps = async () => {
    const name = stack.names[0] as string;
    return waitUntil('the app nginx to serve HTTPS', async () => probeCertificate(stack.httpsPort, name).catch(() => undefined), {
      timeoutMs: 120_000,
      intervalMs: 1_000,
    }).catch(async (error: Error) => {
      throw new Error(`${error.message}\n--- compose logs ---\n${await stack.logs()}`);
    });
  };

  beforeAll(async () => {
    stack = await TestStack.create({
      fixture: 'dify-shaped',
      composeFiles: ['docker-compose.yaml', 'compose.own-nginx.yaml', 'compose.dify.yaml'],
    });
    await cp(join(REPO, 'compose.dify.yaml'), join(stack.dir, 'compose.dify.yaml'));
    for (const file of ['docker-compose.yaml', template, 'nginx/docker-entrypoint.sh']) {
      appFiles.set(file, await readFile(join(stack.dir, file), 'utf8'));
    }
    // Dify's .env with its own names set as its guide says, plus the two lines of certkit's guide (the Compose files
    // are passed by the test harness in the same order as COMPOSE_FILE would list them).
    await writeDifyStyleEnv(stack, { CERTBOT_DOMAIN: stack.names.join(','), CERTBOT_OPTIONS: '' });
  });
  afterAll(async () => {
    if (stack) await stack.destroy();
  });

  it('the app runs alone on plain HTTP; the check passes its .env', async () => {
    const up = await appOnlyCompose(stack, ['up', '-d', 'nginx', 'api', 'web']);
    expect(up.code, up.stderr).toBe(0);
    const name = stack.names[0] as string;
    const api = await waitUntil('the app nginx to answer', async () => httpGet(stack.httpPort, name, '/api/x').catch(() => undefined), {
      timeoutMs: 30_000,
    });
    expect(api).toMatchObject({ status: 200, body: 'api /api/x\n' });
    // The guide's step 3, in certkit's image.
    const check = await stack.compose(['run', '--rm', '--no-deps', 'certkit-init', 'render', '--check']);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain('.env is valid for certkit');
  });

  it("`up -d` ends with HTTPS on every route, the store in the app's folder, none of the app's files edited", async () => {
    await stack.up();
    const presented = await servesHttps();
    expect(presented.names.sort()).toEqual([...stack.names].sort());
    const name = stack.names[0] as string;
    expect(await httpGet(stack.httpsPort, name, '/api/v1?x=1', { tls: true })).toMatchObject({ status: 200, body: 'api /api/v1?x=1\n' });
    expect(await httpGet(stack.httpsPort, name, '/apps', { tls: true })).toMatchObject({ status: 200, body: 'web /apps\n' });
    expect(await httpGet(stack.httpPort, name, '/apps')).toMatchObject({ status: 301 });
    for (const [file, content] of appFiles) expect(await readFile(join(stack.dir, file), 'utf8')).toBe(content);
    // certbot's store where the app's certbot keeps it; nginx sees none of it (no account key, no old private key).
    expect(await readdir(join(stack.dir, 'volumes/certbot/conf/live'))).toContain(name);
    // (An empty volume gets what the image has at that path: the stand-in's Debian base has certbot's cli.ini there.)
    const seen = await stack.listDir('nginx', '/etc/letsencrypt');
    for (const part of ['accounts', 'archive', 'renewal']) expect(seen).not.toContain(part);
    expect(await stack.listDir('nginx', '/etc/letsencrypt/live')).toEqual([]);
  });

  it("an upgrade (the app's released files put back, a new route in its template, down and up) keeps HTTPS and the certificate", async () => {
    const name = stack.names[0] as string;
    const serial = (await probeCertificate(stack.httpsPort, name)).serial;
    for (const [file, content] of appFiles) await writeFile(join(stack.dir, file), content);
    const released = (appFiles.get(template) as string).replace(
      '    location / {',
      '    location /v1 {\n        proxy_pass http://api:5001;\n        proxy_set_header Host $host;\n    }\n\n    location / {',
    );
    await writeFile(join(stack.dir, template), released);
    const down = await stack.compose(['down']);
    expect(down.code, down.stderr).toBe(0);
    await stack.up();
    expect((await servesHttps()).serial).toBe(serial);
    expect(await httpGet(stack.httpsPort, name, '/v1/chat', { tls: true })).toMatchObject({ status: 200, body: 'api /v1/chat\n' });
    const status = await stack.certkit(['status', '--json']);
    expect(status.code, status.stdout + status.stderr).toBe(0);
  });
});

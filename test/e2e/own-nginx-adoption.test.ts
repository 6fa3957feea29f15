import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { appOnlyCompose, writeDifyStyleEnv } from './support/own-nginx-app.js';
import { certonlyOutsideCertkit } from './support/plain-certbot.js';
import { httpGet } from './support/http.js';
import { TestStack } from './support/stack.js';
import { probeCertificate } from './support/tls.js';
import { waitUntil } from './support/wait.js';

const dockerMissing = inject('dockerMissing');

/** The two lines docs/dify.md's guide adds to the app's server block. */
const INCLUDES = '    include /etc/certkit/nginx/certkit-acme.conf;\n    include /etc/certkit/nginx/certkit-tls.conf;\n';

// docs/dify.md "Add HTTPS to Dify's docker/ folder", followed literally on an app shaped like Dify's that already runs and
// whose .env still holds Dify's placeholders: the check first, then what happens when the check is skipped (the app
// must stay up), then the guide's import path (a store Dify's certbot made, moved into certkit's volume). One stack.
describe.skipIf(dockerMissing !== '')('adding certkit to a running app with its own nginx', () => {
  let stack: TestStack;
  let conf: string;
  let withIncludes: string;

  const difyEnv = (certbot: Record<string, string>) => writeDifyStyleEnv(stack, certbot);
  const appAnswers = async () => {
    const name = stack.names[0] as string;
    const api = await waitUntil(
      'the app nginx to answer HTTP',
      async () => httpGet(stack.httpPort, name, '/api/x').catch(() => undefined),
      {
        timeoutMs: 30_000,
      },
    );
    expect(api).toMatchObject({ status: 200, body: 'api /api/x\n' });
    expect(await httpGet(stack.httpPort, name, '/')).toMatchObject({ status: 200, body: 'web /\n' });
  };

  beforeAll(async () => {
    stack = await TestStack.create({ fixture: 'own-nginx', composeFiles: ['docker-compose.yaml', 'compose.own-nginx.yaml'] });
    conf = join(stack.dir, 'nginx/conf.d/default.conf');
    withIncludes = await readFile(conf, 'utf8');
    // The app as it ran before certkit: no include lines yet.
    await writeFile(conf, withIncludes.replace(INCLUDES, ''));
    // Dify's .env.example as shipped: placeholders, and the certbot store where Dify's certbot keeps it.
    await difyEnv({ CERTBOT_DOMAIN: 'your_domain.com', CERTBOT_EMAIL: 'your_email@example.com', CERTBOT_OPTIONS: '' });
  });
  afterAll(async () => {
    if (stack) await stack.destroy();
  });

  it('the app runs alone on plain HTTP', async () => {
    const up = await appOnlyCompose(stack, ['up', '-d', 'nginx', 'api', 'web']);
    expect(up.code, up.stderr).toBe(0);
    await appAnswers();
  });

  it("the guide's check refuses Dify's placeholder, names the variable, and touches nothing", async () => {
    const check = await stack.certkit(['render', '--check']);
    expect(check.code).toBe(2);
    expect(check.stderr).toContain('CERTBOT_DOMAIN: "your_domain.com"');
    // The same check in certkit's image, as docs/dify.md runs it: Compose starts nothing but the one-off container.
    const inImage = await stack.compose(['run', '--rm', '--no-deps', 'certkit-init', 'render', '--check']);
    expect(inImage.code, inImage.stdout + inImage.stderr).toBe(2);
    expect(inImage.stdout + inImage.stderr).toContain('CERTBOT_DOMAIN: "your_domain.com"');
    await expect(readFile(join(stack.dir, 'nginx/certkit-acme.conf'))).rejects.toThrow();
    await appAnswers();
  });

  it('the check skipped: `up -d` with certkit and the placeholder recreates the nginx, and the app stays up', async () => {
    await writeFile(conf, withIncludes);
    const before = await stack.containerId('nginx');
    await stack.compose(['up', '-d']);
    await appAnswers();
    // The nginx answering is the new container, with certkit's mounts (not the old one left running).
    const now = await stack.containerId('nginx');
    expect(now).not.toBe(before);
    const init = await stack.compose(['logs', '--no-color', 'certkit-init']);
    expect(init.stdout + init.stderr).toContain('CERTBOT_DOMAIN: "your_domain.com"');
    // A few seconds later (certkit's daemon refusing the .env in a loop meanwhile) it still answers.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await appAnswers();
  });

  it("the guide's import path: the store Dify's certbot made moves into certkit's volume and the app's nginx serves it", async () => {
    await difyEnv({ CERTBOT_DOMAIN: stack.names.join(','), CERTBOT_EMAIL: 'admin@example.org', CERTBOT_OPTIONS: '' });
    // docs/dify.md and docs/store.md: stop the daemon (it would issue first), start only nginx and certbot, then import.
    const stopped = await stack.compose(['rm', '-s', '-f', 'certkit']);
    expect(stopped.code, stopped.stderr).toBe(0);
    const up = await stack.compose(['up', '-d', 'nginx', 'certbot', 'pebble', 'pebble-challtestsrv']);
    expect(up.code, up.stderr).toBe(0);
    await appAnswers();
    // The certbot container restarted in a loop while .env could not be rendered (no entrypoint yet); Compose v1 leaves
    // it to its restart policy, which starts it again within its back-off.
    await waitUntil('the certbot container to run', async () => ((await stack.exec('certbot', ['true'])).code === 0 ? true : undefined), {
      timeoutMs: 90_000,
      intervalMs: 1_000,
    });
    // What Dify's certbot leaves: certbot's own layout in ./volumes/certbot/conf, validated through /var/www/html.
    const name = stack.names[0] as string;
    const serial = await certonlyOutsideCertkit(stack, {
      store: join(stack.dir, 'volumes/certbot/conf'),
      configDir: '/etc/letsencrypt',
      webroot: '/var/www/html',
    });

    const imported = await stack.certkit(['import', 'volumes/certbot/conf']);
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);
    expect(imported.stdout).toContain(`nginx serves ${name} (serial ${serial})`);
    for (const domain of stack.names) expect((await probeCertificate(stack.httpsPort, domain)).serial).toBe(serial);
    expect(await httpGet(stack.httpsPort, name, '/api/x', { tls: true })).toMatchObject({ status: 200, body: 'api /api/x\n' });
    expect(await httpGet(stack.httpPort, name, '/apps')).toMatchObject({ status: 301 });
    // The guide's last step: the whole stack up; the daemon keeps the imported certificate.
    await stack.up();
    const update = await stack.certkit(['update', '--json']);
    expect(update.code, update.stderr).toBe(0);
    expect(JSON.parse(update.stdout)).toMatchObject({ action: 'unchanged', serial });
  });
  it('an app upgrade that puts back its nginx file without the include lines: status and update say so and how to fix it', async () => {
    const name = stack.names[0] as string;
    const serial = (await probeCertificate(stack.httpsPort, name)).serial;
    await writeFile(conf, withIncludes.replace(INCLUDES, ''));
    const recreated = await stack.compose(['up', '-d', '--no-deps', '--force-recreate', 'nginx']);
    expect(recreated.code, recreated.stderr).toBe(0);
    await appAnswers();
    await expect(probeCertificate(stack.httpsPort, name)).rejects.toThrow();
    const status = await stack.certkit(['status']);
    expect(status.code).toBe(1);
    expect(status.stdout + status.stderr).toContain(`nginx serves no certificate for ${name}`);
    // What the daemon's check (at its start, and at each interval) runs: it names the lines to add back.
    const update = await stack.certkit(['update']);
    expect(update.code).toBe(1);
    expect(update.stderr).toContain("does not include certkit's TLS settings: add `include /etc/certkit/nginx/certkit-tls.conf;`");
    // Put back, the switch beside the certificate turns HTTPS on from the new container's first start.
    await writeFile(conf, withIncludes);
    expect((await stack.compose(['up', '-d', '--no-deps', '--force-recreate', 'nginx'])).code).toBe(0);
    const served = await waitUntil('HTTPS again', async () => probeCertificate(stack.httpsPort, name).catch(() => undefined), {
      timeoutMs: 30_000,
    });
    expect(served.serial).toBe(serial);
  });
});

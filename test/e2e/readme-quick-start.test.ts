import { copyFile, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCommand } from './support/docker-cli.js';
import { REPO, TestStack } from './support/stack.js';
import { probeCertificate } from './support/tls.js';
import { waitUntil } from './support/wait.js';

const dockerMissing = inject('dockerMissing');

/**
 * The commands of the README's "Try it on a laptop" block, as written. Two adaptations, both outside the commands'
 * meaning: the ports 8080/8443 become free ports (so the test cannot collide with whatever this machine runs there),
 * and COMPOSE_FILE/COMPOSE_PROJECT_NAME add the test override (internal networks, nginx on 127.0.0.1 only) and a
 * unique project name, which `docker compose` reads from the environment without a change to the command line.
 */
async function readmeQuickStart(httpPort: number, httpsPort: number): Promise<string[]> {
  const readme = await readFile(join(REPO, 'README.md'), 'utf8');
  const block = /## Try it on a laptop[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('README.md has no ```sh block under "## Try it on a laptop"');
  return block
    .replaceAll('8080', String(httpPort))
    .replaceAll('8443', String(httpsPort))
    .split('\n')
    .filter((line) => line.trim() !== '');
}

// Compose v2 is what the README tells users to run, so this runs on the current stack only.
describe.skipIf(dockerMissing !== '' || inject('stack') !== 'current')('the README quick start, verbatim', () => {
  let stack: TestStack;
  let commands: string[];

  beforeAll(async () => {
    stack = await TestStack.create();
    await rm(join(stack.dir, '.env'));
    await copyFile(join(REPO, '.env.example'), join(stack.dir, '.env.example'));
    commands = await readmeQuickStart(stack.httpPort, stack.httpsPort);
  });
  afterAll(async () => {
    if (stack) await stack.destroy();
  });

  const run = (command: string) =>
    runCommand('sh', ['-c', command], {
      cwd: stack.dir,
      env: { ...stack.composeEnv(), COMPOSE_FILE: 'docker-compose.yaml:compose.test.yaml', COMPOSE_PROJECT_NAME: stack.project },
      timeoutMs: 240_000,
    });

  it('the block is cp, the sed lines, docker compose up and a curl', () => {
    expect(commands[0]).toBe('cp .env.example .env');
    expect(commands.filter((c) => c.startsWith('sed -i '))).toHaveLength(2);
    expect(commands.some((c) => c.startsWith('docker compose --profile certbot --profile pebble up -d'))).toBe(true);
    expect(commands[commands.length - 1]).toMatch(/^curl -k /);
  });

  it('runs every command but the last as written, and the curl then gets a page over HTTPS with a Pebble certificate', async () => {
    for (const command of commands.slice(0, -1)) {
      const result = await run(command);
      expect(result.code, `${command}\n${result.stderr}`).toBe(0);
    }
    const curl = commands[commands.length - 1] as string;
    // The README's curl runs right after `up -d`; issuance takes a few seconds, so the test repeats it until it answers.
    const page = await waitUntil(
      'the README curl to get a page',
      async () => {
        const result = await run(curl);
        return result.code === 0 ? result.stdout : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 1_000 },
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await stack.logs()}`);
    });
    expect(page.length).toBeGreaterThan(0);
    const presented = await probeCertificate(stack.httpsPort, 'myapp.test');
    expect(presented.names).toEqual(['myapp.test', 'www.myapp.test']);
    expect(presented.issuer).toMatch(/Pebble/);
  });
});

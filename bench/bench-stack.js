// What the benches that run a stand-in stack share: the images test/images/build.sh wrote down, and a copy of the kit
// run as its own Compose project (certbot, nginx, Pebble on internal networks; nginx on 127.0.0.1 only).
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const run = promisify(execFile);
export const REPO = fileURLToPath(new URL('..', import.meta.url));
const IMAGES_ENV = { legacy: 'images.env', current: 'images-current.env' };
const COMPOSE = { legacy: ['docker-compose'], current: ['docker', 'compose'] };
const KIT_FILES = ['docker-compose.yaml', 'compose.docker-socket.yaml', 'templates', 'nginx', 'certbot', 'pebble'];

export const progress = (message) => process.stderr.write(`bench: ${message}\n`);

/** The stand-in image names of a stack, undefined before test/images/build.sh ran for it. */
export function imagesFor(stack) {
  const file = join(REPO, 'test', 'images', IMAGES_ENV[stack] ?? 'none');
  if (!existsSync(file)) return undefined;
  return Object.fromEntries([...readFileSync(file, 'utf8').matchAll(/^(\w+)=(.+)$/gm)].map((match) => [match[1], match[2].trim()]));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * A stand-in stack in `work`/`name`, up with the certbot and pebble profiles. `kitFiles` are the kit's compose files
 * before the test overrides (default: docker-compose.yaml alone).
 */
export async function startStack(work, images, { stack, name = 'stack', kitFiles = ['docker-compose.yaml'] }) {
  const dir = join(work, name);
  await mkdir(dir);
  for (const entry of KIT_FILES) await cp(join(REPO, entry), join(dir, entry), { recursive: true });
  const overrides = ['compose.test.yaml', ...(stack === 'legacy' ? ['compose.legacy.yaml'] : [])];
  for (const file of overrides) await cp(join(REPO, 'test', 'e2e', file), join(dir, file));
  const files = [...kitFiles, ...overrides];
  const project = `ckbench${name.replace(/[^a-z0-9]/g, '')}${process.pid}`;
  const env = {
    CERTBOT_DOMAIN: `bench-${process.pid}.test`,
    CERTBOT_EMAIL: 'admin@example.org',
    CERTBOT_SERVER: 'pebble',
    NGINX_BIND: '127.0.0.1',
    NGINX_HTTP_PORT: String(await freePort()),
    NGINX_HTTPS_PORT: String(await freePort()),
    CERTKIT_SITES_NETWORK: `${project}-sites`,
    // Compose v1 tells certkit-init (the socket proxy's rules) no project name of its own.
    COMPOSE_PROJECT_NAME: project,
  };
  await writeFile(
    join(dir, '.env'),
    Object.entries(env)
      .map(([key, value]) => `${key}=${value}\n`)
      .join(''),
  );
  const [command, ...prefix] = COMPOSE[stack];
  const compose = (args) =>
    run(
      command,
      [...prefix, '-p', project, ...files.flatMap((file) => ['-f', file]), '--profile', 'certbot', '--profile', 'pebble', ...args],
      {
        cwd: dir,
        env: { ...process.env, ...images },
        maxBuffer: 64 * 1024 * 1024,
      },
    );
  const handle = { dir, project, compose };
  await compose(['up', '-d']);
  return handle;
}

export async function stopStack(stack) {
  await stack
    .compose(['down', '-v', '--remove-orphans', '-t', '5'])
    .catch((error) => progress(`compose down: ${error.message.split('\n')[0]}`));
}

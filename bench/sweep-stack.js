// The stack sites-sweep.js measures on: a copy of the kit as its own Compose project (nginx, certbot, Pebble; no
// daemon), `certkit update` run on the host as a user runs it, and bare certbot issuing in the same certbot container.
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { appendFile, cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imagesFor, progress, REPO, run } from './bench-stack.js';

const KIT_FILES = ['docker-compose.yaml', 'templates', 'nginx', 'certbot', 'pebble'];
const RENDERED =
  /(^|\/)(nginx\/(site-https?|certkit-[a-z]+|default-server)\.conf|nginx\/sites(\/.*)?|certbot\/(entrypoint|update-cert|deploy-hook)\.sh)$/;
export const PEBBLE_URL = 'https://pebble:14000/dir';
export const WEBROOT = '/var/www/certbot';
/** CERTKIT_BENCH_TRACE=FILE: each certkit run's log (-v) and each bare certbot run, stamped in ms from its start. */
const TRACE = process.env.CERTKIT_BENCH_TRACE;

export const siteName = (index) => `s${String(index).padStart(4, '0')}`;
export const hostOf = (site, id) => `${site}-${id}.bench.test`;

function images() {
  const found = imagesFor('current');
  if (!found) {
    progress('test/images/images-current.env is missing: run `bash test/images/build.sh --stack current` (needs Docker) first');
    process.exit(1);
  }
  return found;
}

function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The environment certkit runs with: this bench's own CERTKIT_BENCH_* settings are not certkit's. */
export const kitEnv = () => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('CERTKIT_BENCH_'))),
  CI: '',
});

/** Appends `text` to the trace file when there is one. */
export const trace = (text) => (TRACE ? appendFile(TRACE, text) : Promise.resolve());

/**
 * The bench's own setup, not what it measures: the CA's names are written into /etc/hosts of the containers that
 * look them up (certbot: pebble and pebble-challtestsrv; pebble: pebble-challtestsrv), once the stack is up. Docker's
 * embedded DNS failed to answer for `pebble` at times on a loaded machine, for bare certbot as much as for certkit,
 * and a row is then a DNS timeout, not a measure. Nothing else changes: certbot and certkit fail as they would.
 */
async function pinCaNames(compose) {
  const ids = {};
  for (const service of ['certbot', 'pebble', 'pebble-challtestsrv']) ids[service] = (await compose(['ps', '-q', service])).stdout.trim();
  const addressOf = async (id) =>
    (await run('docker', ['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}', id])).stdout.trim().split(' ')[0];
  const pebble = await addressOf(ids.pebble);
  const challtestsrv = await addressOf(ids['pebble-challtestsrv']);
  if (!pebble || !challtestsrv) throw new Error('the bench stack has no address for pebble or pebble-challtestsrv');
  const append = (id, lines) => run('docker', ['exec', id, 'sh', '-c', 'printf "%s\\n" "$1" >> /etc/hosts', 'sh', lines]);
  await append(ids.certbot, `${pebble} pebble\n${challtestsrv} pebble-challtestsrv`);
  await append(ids.pebble, `${challtestsrv} pebble-challtestsrv`);
}

/** A copy of the kit in a temp folder, run as its own Compose project on 127.0.0.1 ports, without the daemon. */
export async function makeStack(label) {
  const id = `${label}${process.pid.toString(36)}`;
  const project = `ckbench${id}`;
  const dir = await mkdtemp(join(tmpdir(), `certkit-bench-sweep-${id}-`));
  for (const entry of KIT_FILES)
    await cp(join(REPO, entry), join(dir, entry), { recursive: true, filter: (source) => !RENDERED.test(source) });
  await cp(join(REPO, 'test/e2e/compose.test.yaml'), join(dir, 'compose.test.yaml'));
  const httpsPort = await freePort();
  const env = {
    CERTBOT_DOMAIN: `env-${id}.bench.test`,
    CERTBOT_EMAIL: 'admin@example.org',
    CERTBOT_SERVER: 'pebble',
    NGINX_BIND: '127.0.0.1',
    NGINX_HTTP_PORT: String(await freePort()),
    NGINX_HTTPS_PORT: String(httpsPort),
    CERTKIT_SITES_NETWORK: `${project}-sites`,
  };
  await writeFile(
    join(dir, '.env'),
    Object.entries(env)
      .map(([key, value]) => `${key}=${value}\n`)
      .join(''),
  );
  const composeEnv = { ...process.env, ...images() };
  const compose = (args) =>
    run(
      'docker',
      [
        'compose',
        '-p',
        project,
        '-f',
        'docker-compose.yaml',
        '-f',
        'compose.test.yaml',
        '--profile',
        'certbot',
        '--profile',
        'pebble',
        ...args,
      ],
      {
        cwd: dir,
        env: composeEnv,
        maxBuffer: 64 * 1024 * 1024,
      },
    );
  const stack = {
    id,
    project,
    dir,
    httpsPort,
    envHost: env.CERTBOT_DOMAIN,
    compose,
    images: composeEnv,
    async certbotId() {
      return (await compose(['ps', '-q', 'certbot'])).stdout.trim();
    },
    /**
     * Points the CA's DNS (pebble-challtestsrv) at nginx, as `certkit update` does on its first run, so that bare certbot
     * timed before any certkit run can be validated too. Setup, not part of any timed row.
     */
    async pointCaDnsAtNginx() {
      const networksOf = async (service) => {
        const id = (await compose(['ps', '-q', service])).stdout.trim();
        return JSON.parse((await run('docker', ['inspect', '-f', '{{json .NetworkSettings.Networks}}', id])).stdout);
      };
      const nginx = await networksOf('nginx');
      const pebble = await networksOf('pebble');
      const shared = Object.keys(nginx).find((name) => name in pebble);
      if (!shared) throw new Error('the bench stack has no network shared by nginx and pebble');
      const address = nginx[shared].IPAddress;
      // certkit's own script and URL (dist/), as its run sends them.
      const { PEBBLE_DNS_SCRIPT, CHALLTESTSRV_URL } = await import('../dist/update/pebble-dns.js');
      await run('docker', ['exec', await stack.certbotId(), 'python3', '-c', PEBBLE_DNS_SCRIPT, CHALLTESTSRV_URL, address]);
    },
    /** `certkit update` on the host, as a user runs it; resolves with its wall time and JSON result. */
    update: (what) => updateOnce(project, dir, what),
    async destroy() {
      if (process.env.CERTKIT_BENCH_KEEP === '1') return progress(`kept ${project} in ${dir}`);
      await compose(['down', '-v', '--remove-orphans', '-t', '2']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
  await compose(['up', '-d', 'nginx', 'certbot', 'pebble', 'pebble-challtestsrv']);
  await pinCaNames(compose);
  return stack;
}

async function updateOnce(project, dir, what = 'update') {
  const args = [join(REPO, 'bin/certkit.js'), '--project-name', project, ...(TRACE ? ['--verbose'] : []), 'update', '--json'];
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: dir, env: kitEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const out = [];
  let err = '';
  let stamped = '';
  child.stdout.on('data', (chunk) => out.push(chunk));
  child.stderr.on('data', (chunk) => {
    err += chunk;
    const at = (performance.now() - started).toFixed(0).padStart(7);
    for (const line of String(chunk).split('\n')) if (line !== '') stamped += `${at} ${line}\n`;
  });
  const timer = setTimeout(() => child.kill('SIGTERM'), 4 * 3600_000);
  const code = await new Promise((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  const ms = performance.now() - started;
  await trace(`== certkit ${what} (${project}): ${ms.toFixed(0)} ms, exit ${code}\n${stamped}`);
  const problems = err.split('\n').filter((line) => /error|warn|fail/i.test(line) && !/ARI/.test(line) && !/^\S+ debug:/.test(line));
  let result;
  try {
    result = JSON.parse(Buffer.concat(out).toString());
  } catch {
    throw new Error(`certkit update failed (exit ${code}):\n${problems.slice(0, 20).join('\n') || err.slice(-2000)}`);
  }
  if (problems.length > 0) progress(`certkit update said:\n${problems.slice(0, 10).join('\n')}`);
  return { ms, result };
}

export async function writeSitesFile(stack, count) {
  const lines = [];
  for (let index = 1; index < count; index += 1) {
    lines.push(`${siteName(index)}:`, `  host: ${hostOf(siteName(index), stack.id)}`, '  upstream: http://127.0.0.1:9', '');
  }
  await writeFile(join(stack.dir, 'sites.yaml'), lines.join('\n'));
}

/**
 * What `docker exec` itself costs per call here (the CLI's start, the exec's create and start), the mean of `times`
 * runs of `true` in the certbot container: part of each bare certbot run, none of certkit's (it calls the API).
 */
export async function dockerExecAlone(stack, times = 5) {
  const certbot = await stack.certbotId();
  const started = performance.now();
  for (let index = 0; index < times; index += 1) await run('docker', ['exec', certbot, 'true']);
  return (performance.now() - started) / times;
}

/** Bare certbot issuing `count` certificates one by one, with the arguments a user's own certbot would take. */
export async function bareCertbot(stack, count, prefix) {
  const certbot = await stack.certbotId();
  const started = performance.now();
  let stamped = '';
  for (let index = 0; index < count; index += 1) {
    const name = `${prefix}${index}-${stack.id}.bench.test`;
    const one = performance.now();
    await run('docker', [
      'exec',
      '-e',
      'PYTHONWARNINGS=ignore:Unverified HTTPS request',
      certbot,
      'certbot',
      'certonly',
      '--non-interactive',
      '--webroot',
      '-w',
      WEBROOT,
      '-d',
      name,
      '--cert-name',
      name,
      '--server',
      PEBBLE_URL,
      '--no-verify-ssl',
      '--agree-tos',
      '--register-unsafely-without-email',
      '--key-type',
      'ecdsa',
    ]);
    stamped += `${(one - started).toFixed(0).padStart(7)} certbot ${name}: ${(performance.now() - one).toFixed(0)} ms\n`;
  }
  const ms = performance.now() - started;
  await trace(`== bare certbot, ${count} (${stack.project}): ${ms.toFixed(0)} ms\n${stamped}`);
  return ms;
}

// `npm run bench:sweep`: many sites on one stack (issue 18 item 7), on the stand-in current stack with Pebble as the
// CA. For each size (CERTKIT_BENCH_SITES, default 1,100,1000; a size counts the .env site, the others are declared in
// the sites file, the cheap way to declare a thousand):
//   - all issued: `certkit update` issuing every site, against bare certbot issuing as many certificates one by one
//     (`certbot certonly --webroot` execs in the same certbot container, against the same Pebble), and certkit's own
//     time per site (its time minus bare certbot's);
//   - a sweep in which no site is due: `certkit update` once more, with the CA's renewal windows (ARI) asked for, then
//     again with them cached;
// and once: a labelled container started → its HTTPS served by the certkit daemon (Docker events), against bare
// certbot issuing one certificate. Sizes above CERTKIT_BENCH_ISSUE_MAX (default 100) are not issued by the CA (that
// many issuances twice take too long on a small machine): their store is made with openssl (make-certbot-store.js),
// deployed, served once, and only the no-op sweep is measured. CERTKIT_BENCH_LABELLED=0 leaves out the labelled
// container, CERTKIT_BENCH_KEEP=1 keeps the stacks (to profile them). Prints a table; asserts nothing.
// Hold /tmp/certkit-e2e.lock while it runs (`flock /tmp/certkit-e2e.lock npm run bench:sweep`): e2e timings and these
// perturb each other on a shared machine.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { printTable, recordRow } from './bench-table.js';
import { makeCertbotStore } from './make-certbot-store.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('..', import.meta.url));
const IMAGES_ENV = join(REPO, 'test', 'images', 'images-current.env');
const KIT_FILES = ['docker-compose.yaml', 'templates', 'nginx', 'certbot', 'pebble'];
const RENDERED =
  /(^|\/)(nginx\/(site-https?|certkit-[a-z]+|default-server)\.conf|nginx\/sites(\/.*)?|certbot\/(entrypoint|update-cert|deploy-hook)\.sh)$/;
const SIZES = (process.env.CERTKIT_BENCH_SITES ?? '1,100,1000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const ISSUE_MAX = Number(process.env.CERTKIT_BENCH_ISSUE_MAX ?? 100);
const PEBBLE_URL = 'https://pebble:14000/dir';
const WEBROOT = '/var/www/certbot';
const SECTION = 'sites on one stack';

const progress = (message) => process.stderr.write(`bench: ${message}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

function images() {
  if (!existsSync(IMAGES_ENV)) {
    progress(`${IMAGES_ENV} is missing: run \`bash test/images/build.sh --stack current\` (needs Docker) first`);
    process.exit(1);
  }
  return Object.fromEntries(
    readFileSync(IMAGES_ENV, 'utf8')
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
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
const kitEnv = () => ({ ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('CERTKIT_BENCH_'))), CI: '' });

const siteName = (index) => `s${String(index).padStart(4, '0')}`;
const hostOf = (site, id) => `${site}-${id}.bench.test`;

/** A copy of the kit in a temp folder, run as its own Compose project on 127.0.0.1 ports, without the daemon. */
async function makeStack(label) {
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
    /** `certkit update` on the host, as a user runs it; resolves with its wall time and JSON result. */
    async update() {
      const started = performance.now();
      const done = await run(process.execPath, [join(REPO, 'bin/certkit.js'), '--project-name', project, 'update', '--json'], {
        cwd: dir,
        env: kitEnv(),
        maxBuffer: 256 * 1024 * 1024,
        timeout: 4 * 3600_000,
      }).catch((error) => error);
      const ms = performance.now() - started;
      const problems = String(done.stderr ?? '')
        .split('\n')
        .filter((line) => /error|warn|fail/i.test(line) && !/ARI/.test(line));
      let result;
      try {
        result = JSON.parse(done.stdout);
      } catch {
        throw new Error(`certkit update failed:\n${problems.slice(0, 20).join('\n') || String(done.message)}`);
      }
      if (problems.length > 0) progress(`certkit update said:\n${problems.slice(0, 10).join('\n')}`);
      return { ms, result };
    },
    async destroy() {
      if (process.env.CERTKIT_BENCH_KEEP === '1') return progress(`kept ${project} in ${dir}`);
      await compose(['down', '-v', '--remove-orphans', '-t', '2']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
  await compose(['up', '-d', 'nginx', 'certbot', 'pebble', 'pebble-challtestsrv']);
  return stack;
}

async function writeSitesFile(stack, count) {
  const lines = [];
  for (let index = 1; index < count; index += 1) {
    lines.push(`${siteName(index)}:`, `  host: ${hostOf(siteName(index), stack.id)}`, '  upstream: http://127.0.0.1:9', '');
  }
  await writeFile(join(stack.dir, 'sites.yaml'), lines.join('\n'));
}

/** Bare certbot issuing `count` certificates one by one, with the arguments a user's own certbot would take. */
async function bareCertbot(stack, count, prefix) {
  const certbot = await stack.certbotId();
  const started = performance.now();
  for (let index = 0; index < count; index += 1) {
    const name = `${prefix}${index}-${stack.id}.bench.test`;
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
  }
  return performance.now() - started;
}

const failures = (result) => [...(result.others ?? []).filter((other) => other.error || other.skipped).map((other) => other.site)];

async function issuedSize(count) {
  const stack = await makeStack(`i${count}`);
  try {
    await writeSitesFile(stack, count);
    progress(`${count} sites: certkit update issuing all of them`);
    const issued = await stack.update();
    const failed = failures(issued.result);
    if (failed.length > 0) throw new Error(`sites not issued: ${failed.slice(0, 5).join(', ')}`);
    progress(`${count} sites: bare certbot issuing ${count} certificates one by one`);
    const bare = await bareCertbot(stack, count, 'bare');
    progress(`${count} sites: no-op sweeps`);
    const cold = await stack.update();
    const warm = await stack.update();
    return { count, issued: issued.ms, bare, cold: cold.ms, warm: warm.ms, sitesFrom: 'sites file' };
  } finally {
    await stack.destroy();
  }
}

/** A store of `count` lineages made without the CA, as certbot and certkit would leave them, deployed and served. */
async function sweepOnlySize(count) {
  const stack = await makeStack(`s${count}`);
  const work = await mkdtemp(join(tmpdir(), 'certkit-bench-store-'));
  try {
    await writeSitesFile(stack, count);
    progress(`${count} sites: making ${count} lineages with openssl (no CA)`);
    const lineages = [{ certName: stack.envHost, domains: [stack.envHost] }];
    for (let index = 1; index < count; index += 1)
      lineages.push({ certName: siteName(index), domains: [hostOf(siteName(index), stack.id)] });
    const root = join(work, 'letsencrypt');
    await makeCertbotStore(root, count, work, { lineages, server: PEBBLE_URL, webroot: WEBROOT });
    const certbot = await stack.certbotId();
    await run('docker', ['cp', `${root}/.`, `${certbot}:/etc/letsencrypt/`]);
    // The kit's deploy hook (DEPLOY_HOOK in src/stack/layout.ts) publishes each lineage as certbot's would.
    await run('docker', [
      'exec',
      certbot,
      'sh',
      '-c',
      'chown -R root:root /etc/letsencrypt && for d in /etc/letsencrypt/live/*/; do RENEWED_LINEAGE="${d%/}" sh /etc/certkit/certbot/deploy-hook.sh || exit 1; done',
    ]);
    progress(`${count} sites: the first run serves them (renders ${count} sites, one reload)`);
    const first = await stack.update();
    const failed = failures(first.result);
    if (failed.length > 0) throw new Error(`sites not served: ${failed.slice(0, 5).join(', ')}`);
    progress(`${count} sites: no-op sweeps`);
    const cold = await stack.update();
    const warm = await stack.update();
    return { count, first: first.ms, cold: cold.ms, warm: warm.ms, sitesFrom: 'sites file, store made without the CA' };
  } finally {
    await stack.destroy();
    await rm(work, { recursive: true, force: true });
  }
}

/** The name a TLS handshake for `servername` presents, or undefined. */
function presented(port, servername) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false, timeout: 2_000 }, () => {
      const subject = socket.getPeerCertificate()?.subjectaltname ?? '';
      socket.destroy();
      resolve(subject);
    });
    socket.on('error', () => resolve(undefined));
    socket.on('timeout', () => {
      socket.destroy();
      resolve(undefined);
    });
  });
}

/** A labelled container started → its HTTPS served, with the daemon watching Docker events. */
async function labelledStart() {
  const stack = await makeStack('l');
  let daemon;
  const app = `${stack.project}-app`;
  try {
    progress('labelled start: the .env site first, then the daemon');
    await stack.update();
    const bare = await bareCertbot(stack, 1, 'one');
    daemon = spawn(process.execPath, [join(REPO, 'bin/certkit.js'), '--project-name', stack.project, 'daemon'], {
      cwd: stack.dir,
      env: kitEnv(),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let logs = '';
    daemon.stderr.on('data', (chunk) => (logs += chunk));
    for (let waited = 0; !logs.includes('check done') && waited < 120_000; waited += 250) await sleep(250);
    const host = hostOf('app', stack.id);
    const started = performance.now();
    await run('docker', [
      'run',
      '-d',
      '--name',
      app,
      '--network',
      `${stack.project}-sites`,
      '--expose',
      '3000',
      '--label',
      `certkit.host=${host}`,
      '--label',
      'certkit.port=3000',
      '--label',
      `certkit.stack=${stack.project}`,
      '--entrypoint',
      'python3',
      stack.images.CERTBOT_IMAGE,
      '-m',
      'http.server',
      '3000',
    ]);
    let served;
    while (performance.now() - started < 180_000) {
      if ((await presented(stack.httpsPort, host))?.includes(`DNS:${host}`)) {
        served = performance.now() - started;
        break;
      }
      await sleep(100);
    }
    if (served === undefined)
      throw new Error(`the labelled site was not served within 3 minutes:\n${logs.split('\n').slice(-20).join('\n')}`);
    return { served, bare };
  } finally {
    daemon?.kill('SIGTERM');
    await run('docker', ['rm', '-f', app]).catch(() => undefined);
    await stack.destroy();
  }
}

const rows = [['measure', 'sites', 'declared in', 'certkit', 'baseline', 'per site', 'goal']];
// Each row is also said as it is measured: a later part that fails keeps the earlier figures.
const addRow = (row) => {
  rows.push(row);
  progress(`row: ${row.join(' | ')}`);
};

/** The no-op sweep's rows: with the CA's renewal windows asked for (the first sweep), then kept (every next one). */
async function sweepRows(size) {
  const { count, sitesFrom } = size;
  addRow(['no-op sweep, ARI asked', String(count), sitesFrom, seconds(size.cold), '', seconds(size.cold / count), '']);
  addRow(['no-op sweep, ARI cached', String(count), sitesFrom, seconds(size.warm), '', seconds(size.warm / count), '< 2 s at 1,000']);
  await recordRow({ section: SECTION, metric: `no-op sweep, ${count} sites`, value: size.warm, unit: 's', target: '< 2 s at 1,000' });
}

for (const count of SIZES) {
  if (count <= ISSUE_MAX) {
    const size = await issuedSize(count);
    const overhead = (size.issued - size.bare) / count;
    const certbotPerSite = size.bare / count;
    addRow([
      'all issued',
      String(count),
      size.sitesFrom,
      seconds(size.issued),
      `bare certbot ${seconds(size.bare)}`,
      `certkit's own ${seconds(overhead)} = ${((overhead / certbotPerSite) * 100).toFixed(1)} % of certbot's ${seconds(certbotPerSite)}`,
      '< 5 %',
    ]);
    await recordRow({
      section: SECTION,
      metric: `all issued, ${count} sites`,
      value: size.issued,
      unit: 's',
      baselineName: 'bare certbot',
      baseline: size.bare,
      target: 'own < 5 % of certbot',
    });
    await sweepRows(size);
  } else {
    const size = await sweepOnlySize(count);
    addRow(['first run (serves all)', String(count), size.sitesFrom, seconds(size.first), '', seconds(size.first / count), '']);
    await sweepRows(size);
  }
}
if (process.env.CERTKIT_BENCH_LABELLED !== '0') {
  const labelled = await labelledStart();
  addRow([
    'labelled container → HTTPS',
    '2',
    'a label, daemon on Docker events',
    seconds(labelled.served),
    `bare certbot, one cert ${seconds(labelled.bare)}`,
    `${seconds(labelled.served - labelled.bare)} over certbot`,
    'certbot + 2 s',
  ]);
  await recordRow({
    section: SECTION,
    metric: 'labelled container → HTTPS',
    value: labelled.served,
    unit: 's',
    baselineName: 'bare certbot, one cert',
    baseline: labelled.bare,
    target: 'certbot + 2 s',
  });
}
printTable('Sites on one stack (Pebble as the CA; certkit update on the host; times are wall-clock)', rows);

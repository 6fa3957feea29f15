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
// container, CERTKIT_BENCH_BARE_SAMPLE=N times bare certbot on N certificates of a larger size and scales it to the size
// (half before certkit's run and half after, so the sample sees the store as small and as large as certkit's runs did:
// certbot reads every renewal conf at each run), CERTKIT_BENCH_KEEP=1 keeps the stacks (to profile them), CERTKIT_BENCH_TRACE=FILE appends each certkit
// run's log (--verbose) and each bare certbot run to FILE, stamped in ms from the run's start (where the time goes).
// The CA's names are pinned in the bench containers' /etc/hosts (sweep-stack.js). Prints a table; asserts nothing.
// Hold /tmp/certkit-e2e.lock while it runs (`flock /tmp/certkit-e2e.lock npm run bench:sweep`): e2e timings and these
// perturb each other on a shared machine.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { promisify } from 'node:util';
import { REPO } from './bench-stack.js';
import { printTable, recordRow } from './bench-table.js';
import { makeCertbotStore } from './make-certbot-store.js';
import {
  bareCertbot,
  dockerExecAlone,
  hostOf,
  kitEnv,
  makeStack,
  PEBBLE_URL,
  siteName,
  trace,
  WEBROOT,
  writeSitesFile,
} from './sweep-stack.js';

const run = promisify(execFile);
const SIZES = (process.env.CERTKIT_BENCH_SITES ?? '1,100,1000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const ISSUE_MAX = Number(process.env.CERTKIT_BENCH_ISSUE_MAX ?? 100);
const BARE_SAMPLE = Number(process.env.CERTKIT_BENCH_BARE_SAMPLE ?? Infinity);
const SECTION = 'sites on one stack';

const progress = (message) => process.stderr.write(`bench: ${message}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

const failures = (result) => [...(result.others ?? []).filter((other) => other.error || other.skipped).map((other) => other.site)];

async function issuedSize(count) {
  const stack = await makeStack(`i${count}`);
  try {
    await writeSitesFile(stack, count);
    const sample = Math.min(count, BARE_SAMPLE);
    // A sample is timed half before certkit's run (a small store) and half after (the full one).
    const before = sample < count ? Math.floor(sample / 2) : 0;
    let bare = 0;
    if (before > 0) {
      progress(`${count} sites: bare certbot issuing ${before} certificates one by one (sample, before)`);
      await stack.pointCaDnsAtNginx();
      bare += await bareCertbot(stack, before, 'barea');
    }
    progress(`${count} sites: certkit update issuing all of them`);
    const issued = await stack.update(`issuing ${count} sites`);
    const failed = failures(issued.result);
    if (failed.length > 0) throw new Error(`sites not issued: ${failed.slice(0, 5).join(', ')}`);
    progress(`${count} sites: bare certbot issuing ${sample - before} certificates one by one${sample < count ? ' (sample, after)' : ''}`);
    bare += await bareCertbot(stack, sample - before, 'bare');
    const bareTimed = bare;
    bare = (bare / sample) * count;
    const execAlone = await dockerExecAlone(stack);
    progress(`${count} sites: no-op sweeps`);
    const cold = await stack.update('no-op sweep, ARI asked');
    const warm = await stack.update('no-op sweep, ARI cached');
    return { count, issued: issued.ms, bare, bareTimed, sample, execAlone, cold: cold.ms, warm: warm.ms, sitesFrom: 'sites file' };
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
    const first = await stack.update('first run');
    const failed = failures(first.result);
    if (failed.length > 0) throw new Error(`sites not served: ${failed.slice(0, 5).join(', ')}`);
    progress(`${count} sites: no-op sweeps`);
    const cold = await stack.update('no-op sweep, ARI asked');
    const warm = await stack.update('no-op sweep, ARI cached');
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
    const verbose = process.env.CERTKIT_BENCH_TRACE ? ['--verbose'] : [];
    daemon = spawn(process.execPath, [join(REPO, 'bin/certkit.js'), '--project-name', stack.project, ...verbose, 'daemon'], {
      cwd: stack.dir,
      env: kitEnv(),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let logs = '';
    // The daemon's lines from the container's start on, stamped in ms from it (CERTKIT_BENCH_TRACE).
    let started;
    let stamped = '';
    daemon.stderr.on('data', (chunk) => {
      logs += chunk;
      if (started === undefined) return;
      const at = (performance.now() - started).toFixed(0).padStart(7);
      for (const line of String(chunk).split('\n')) if (line !== '') stamped += `${at} ${line}\n`;
    });
    for (let waited = 0; !logs.includes('check done') && waited < 120_000; waited += 250) await sleep(250);
    const host = hostOf('app', stack.id);
    started = performance.now();
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
    await trace(`== daemon, a labelled container started (${stack.project}): served after ${(served ?? NaN).toFixed(0)} ms\n${stamped}`);
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
      size.sample < count
        ? `bare certbot ${seconds(size.bare)} (${size.sample} of ${count} timed, ${seconds(size.bareTimed)}, scaled; docker exec alone ${(size.execAlone / 1000).toFixed(2)} s per run)`
        : `bare certbot ${seconds(size.bare)} (docker exec alone ${(size.execAlone / 1000).toFixed(2)} s per run)`,
      `certkit's own ${seconds(overhead)} = ${((overhead / certbotPerSite) * 100).toFixed(1)} % of certbot's ${seconds(certbotPerSite)}`,
      '< 5 %',
    ]);
    await recordRow({
      section: SECTION,
      metric: `all issued, ${count} sites`,
      value: size.issued,
      unit: 's',
      baselineName: size.sample < count ? `bare certbot, ${size.sample} of ${count} scaled` : 'bare certbot',
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

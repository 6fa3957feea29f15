// `npm run bench:swarm`: what clients see of certificate rotations on a single-node Swarm (issue 21). The stack of
// compose.swarm.yaml runs two nginx replicas; keep-alive, HTTP/2 and new-connection clients go through the published
// port (a forwarder on 127.0.0.1 in front of the nginx tasks, bench/swarm-bed.js) first for a baseline phase with no
// rotation, then during ROTATIONS rotations (each: a forced renewal by Pebble, a new secret version, a start-first
// service update, health-gated, and the old version removed). Each variant of the nginx service is a stack of its own,
// measured in the same run:
//   before   the stop as it was: no keepalive_min_timeout (CERTKIT_NGINX_KEEPALIVE_MIN_TIMEOUT=0), the image's signal
//   after    the stack file as it is
// Clients retry once where a browser would (a reused HTTP/1.1 connection closed before any answer, a refused HTTP/2
// stream): a request is counted failed with no retry (what a plain client sees) and failed after that retry. Each
// failed request is placed against the moment Swarm signalled a task to stop (`docker events`), on stderr. Prints
// failures per client kind in each phase, and the time per rotation. Asserts nothing. Not part of `npm run bench`.
//
// Changes the engine (a swarm): run it under the shared lock, `flock /tmp/certkit-e2e.lock npm run bench:swarm`.
//   BENCH_SWARM_ROTATIONS=20       rotations per variant
//   BENCH_SWARM_VARIANTS=before,after  which variants, in this order
//   BENCH_SWARM_MAX_MINUTES=40     a variant's rotations stop after this, whatever the count
//   BENCH_SWARM_BASELINE_SECONDS=60  length of the baseline phase (on the first variant's stack; 0: none)
//   BENCH_SWARM_STACK=current      which stand-in images (current or legacy; test/images/images*.env)
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'dotenv';
import { createLogger } from '../dist/log.js';
import { renderSwarmNginx } from '../dist/swarm/render-swarm-nginx.js';
import { sleep } from '../dist/wait-for.js';
import { printTable, recordRow } from './bench-table.js';
import { CLIENT_KINDS, describeFailures, runHttpsLoad } from './https-load.js';
import { deploySwarmBed, ensureSwarm, leaveSwarm, prepareSwarmBed, removeSwarmBed } from './swarm-bed.js';
import { describePlaced, placeFailures, watchContainerEvents } from './swarm-events.js';
import { rotateBed } from './swarm-rotate.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const ROTATIONS = Number(process.env.BENCH_SWARM_ROTATIONS ?? 20);
const MAX_MS = Number(process.env.BENCH_SWARM_MAX_MINUTES ?? 40) * 60_000;
const BASELINE_MS = Number(process.env.BENCH_SWARM_BASELINE_SECONDS ?? 60) * 1000;
const STACK = process.env.BENCH_SWARM_STACK ?? 'current';
const progress = (message) => process.stderr.write(`bench: ${message}\n`);
const SITE = {
  id: 'bench',
  certName: 'bench',
  names: ['bench.swarm.certkit.test'],
  routes: [],
  challenge: { type: 'http' },
  profile: undefined,
  keyType: { type: 'ecdsa', curve: 'secp256r1' },
  sources: [{ kind: 'env', file: undefined }],
};
// Enough for 20 rotations of a few seconds each without a client stopping early; every loop is also bounded in time.
const MAX_REQUESTS = 400_000;

function images() {
  const file = join(REPO, 'test', 'images', STACK === 'legacy' ? 'images.env' : 'images-current.env');
  if (!existsSync(file)) {
    progress(`${file} is missing: run \`bash test/images/build.sh --stack ${STACK}\` to build the stand-in images`);
    process.exit(1);
  }
  return parse(readFileSync(file, 'utf8'));
}

function rotate(bed, log) {
  return rotateBed(bed, log, 180_000, { intervalMs: 500 });
}

const VARIANTS = (process.env.BENCH_SWARM_VARIANTS ?? 'before,after').split(',').filter(Boolean);
const EDITS = {
  before: (file) => {
    const nginx = file.services.nginx;
    nginx.environment = { ...nginx.environment, CERTKIT_NGINX_KEEPALIVE_MIN_TIMEOUT: '0' };
    delete nginx.stop_signal;
    delete nginx.stop_grace_period;
  },
  after: () => undefined,
};
for (const variant of VARIANTS)
  if (!EDITS[variant]) throw new Error(`BENCH_SWARM_VARIANTS: ${variant} is not one of ${Object.keys(EDITS).join(', ')}`);

const total = (result, figure) => CLIENT_KINDS.reduce((sum, kind) => sum + result.byKind[kind][figure], 0);

function phaseRows(name, result, seconds, note) {
  return [
    [name, 'requests', ...CLIENT_KINDS.map((kind) => result.byKind[kind].ok + result.byKind[kind].failed), `${seconds.toFixed(0)} s`],
    [name, 'failed, no retry', ...CLIENT_KINDS.map((kind) => result.byKind[kind].firstFailed), describeFailures(result) || '-'],
    [name, 'failed, one retry', ...CLIENT_KINDS.map((kind) => result.byKind[kind].failed), note],
  ];
}

const load = (bed, stop, maxMs) =>
  runHttpsLoad({ port: bed.port, servername: SITE.names[0], stop, maxRequests: MAX_REQUESTS, maxMs, retry: true });

/** One variant: its own stack, the baseline phase if asked, then the rotations under load. Table rows. */
async function measure(variant, baselineMs, log) {
  const bed = prepareSwarmBed({ site: SITE });
  const rows = [];
  try {
    progress(`${variant}: deploying stack ${bed.name} (${STACK} images)`);
    await deploySwarmBed(bed, {
      images: images(),
      legacy: STACK === 'legacy',
      renderNginx: (sites) => renderSwarmNginx(sites),
      editStack: EDITS[variant],
    });
    await bed.issue();
    await rotate(bed, log);

    if (baselineMs > 0) {
      progress(`baseline: ${baselineMs / 1000} s of load, no rotation`);
      const start = Date.now();
      const baseline = await load(bed, sleep(baselineMs), baselineMs + 5_000);
      rows.push(...phaseRows('baseline (no rotation)', baseline, (Date.now() - start) / 1000, '-'));
    }

    progress(`${variant}: ${ROTATIONS} rotations under load (at most ${MAX_MS / 60_000} min)`);
    let finish;
    const stop = new Promise((resolve) => (finish = resolve));
    const loadStart = Date.now();
    const events = watchContainerEvents(bed.service);
    const during = load(bed, stop, MAX_MS + 60_000);
    const times = [];
    let removed = 0;
    for (let i = 0; i < ROTATIONS && Date.now() - loadStart < MAX_MS; i += 1) {
      await bed.issue();
      const start = Date.now();
      const result = await rotate(bed, log);
      times.push(Date.now() - start);
      removed += result.removed.length;
      progress(`${variant}: rotation ${i + 1}: ${result.secret.name} in ${((Date.now() - start) / 1000).toFixed(1)} s`);
    }
    // A moment after the last rotation, so connections to the last stopped task are counted.
    await sleep(5_000);
    finish();
    const result = await during;
    const seconds = (Date.now() - loadStart) / 1000;
    const { placed, quits, kills, signals } = placeFailures(result.failures, events.stop());
    for (const entry of placed) progress(`${variant}: ${describePlaced(entry)}`);
    const sorted = [...times].sort((a, b) => a - b);
    const quitsSorted = [...quits].sort((a, b) => a - b);
    const median = (values) => values[Math.floor(values.length / 2)] ?? 0;
    rows.push(
      ...phaseRows(
        `${variant}: ${times.length} rotations`,
        result,
        seconds,
        `${kills} tasks stopped, signal ${signals.join(', ') || '?'}; a task's quit (kill to exit) median ${median(quitsSorted).toFixed(0)} ms, max ${(quitsSorted.at(-1) ?? 0).toFixed(0)} ms`,
      ),
      [
        `${variant}: rotations`,
        'median time',
        `${(median(sorted) / 1000).toFixed(1)} s`,
        `max ${((sorted.at(-1) ?? 0) / 1000).toFixed(1)} s`,
        '',
        `${removed} old versions removed; serials seen by clients: ${result.serials.size}`,
      ],
    );
    return { rows, result, rotations: times.length };
  } finally {
    await removeSwarmBed(bed);
  }
}

async function main() {
  const log = createLogger({ write: () => undefined });
  images(); // before the swarm: it exits when the images are missing
  const swarm = await ensureSwarm();
  const measured = {};
  const rows = [];
  try {
    for (const [index, variant] of VARIANTS.entries()) {
      measured[variant] = await measure(variant, index === 0 ? BASELINE_MS : 0, log);
      rows.push(...measured[variant].rows);
    }
  } finally {
    await leaveSwarm(swarm);
  }
  printTable(
    `Swarm rotations (${ROTATIONS} per variant, 2 nginx replicas, single node, ${STACK} images; machine: ${cpus().length} cores)`,
    [['phase', 'figure', ...CLIENT_KINDS, 'note'], ...rows],
  );
  for (const [variant, { result, rotations }] of Object.entries(measured)) {
    for (const figure of ['firstFailed', 'failed']) {
      await recordRow({
        section: 'swarm',
        metric: `${variant}: failed requests during ${rotations} rotations (all clients, ${figure === 'failed' ? 'one retry' : 'no retry'}; ${STACK})`,
        value: total(result, figure),
        unit: 'count',
        baselineName: 'requests sent',
        baseline: result.ok + result.failed,
        target: '0',
      });
    }
  }
}

await main();

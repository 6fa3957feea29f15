// `npm run bench:swarm`: what clients see of certificate rotations on a single-node Swarm (issue 21). The stack of
// compose.swarm.yaml runs two nginx replicas; keep-alive, HTTP/2 and new-connection clients go through the published
// port (a forwarder on 127.0.0.1 in front of Swarm's VIP, bench/swarm-bed.js) first for a baseline phase with no
// rotation, then during ROTATIONS rotations (each: a forced renewal by Pebble, a new secret version, a start-first
// service update, health-gated, and the old version removed). Prints failures per client kind in each phase, and the
// time per rotation. Asserts nothing. Not part of `npm run bench` (run-all.js) yet.
//
// Changes the engine (a swarm): run it under the shared lock, `flock /tmp/certkit-e2e.lock npm run bench:swarm`.
//   BENCH_SWARM_ROTATIONS=20       rotations in the measured phase
//   BENCH_SWARM_MAX_MINUTES=40     the rotation phase stops after this, whatever the count
//   BENCH_SWARM_BASELINE_SECONDS=60  length of the baseline phase
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

function phaseRows(name, result, seconds) {
  return [
    [name, 'requests', ...CLIENT_KINDS.map((kind) => result.byKind[kind].ok + result.byKind[kind].failed), `${seconds.toFixed(0)} s`],
    [name, 'failed', ...CLIENT_KINDS.map((kind) => result.byKind[kind].failed), describeFailures(result) || '-'],
  ];
}

async function main() {
  const log = createLogger({ write: () => undefined });
  const swarm = await ensureSwarm();
  const bed = prepareSwarmBed({ site: SITE });
  try {
    progress(`deploying stack ${bed.name} (${STACK} images)`);
    await deploySwarmBed(bed, { images: images(), legacy: STACK === 'legacy', renderNginx: (sites) => renderSwarmNginx(sites) });
    await bed.issue();
    await rotate(bed, log);

    progress(`baseline: ${BASELINE_MS / 1000} s of load, no rotation`);
    const baselineStart = Date.now();
    const baseline = await runHttpsLoad({
      port: bed.port,
      servername: SITE.names[0],
      stop: sleep(BASELINE_MS),
      maxRequests: MAX_REQUESTS,
      maxMs: BASELINE_MS + 5_000,
    });
    const baselineSeconds = (Date.now() - baselineStart) / 1000;

    progress(`${ROTATIONS} rotations under load (at most ${MAX_MS / 60_000} min)`);
    let finish;
    const stop = new Promise((resolve) => (finish = resolve));
    const loadStart = Date.now();
    const load = runHttpsLoad({ port: bed.port, servername: SITE.names[0], stop, maxRequests: MAX_REQUESTS, maxMs: MAX_MS + 60_000 });
    const times = [];
    let removed = 0;
    for (let i = 0; i < ROTATIONS && Date.now() - loadStart < MAX_MS; i += 1) {
      await bed.issue();
      const start = Date.now();
      const result = await rotate(bed, log);
      times.push(Date.now() - start);
      removed += result.removed.length;
      progress(`rotation ${i + 1}: ${result.secret.name} in ${((Date.now() - start) / 1000).toFixed(1)} s`);
    }
    // A moment after the last rotation, so connections to the last stopped task are counted.
    await sleep(5_000);
    finish();
    const during = await load;
    const duringSeconds = (Date.now() - loadStart) / 1000;
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;

    printTable(`Swarm rotations (${times.length} rotations, 2 nginx replicas, single node; machine: ${cpus().length} cores)`, [
      ['phase', 'figure', ...CLIENT_KINDS, 'note'],
      ...phaseRows('baseline (no rotation)', baseline, baselineSeconds),
      ...phaseRows(`${times.length} rotations`, during, duringSeconds),
      [
        'rotations',
        'median time',
        `${(median / 1000).toFixed(1)} s`,
        `max ${((sorted.at(-1) ?? 0) / 1000).toFixed(1)} s`,
        '',
        `${removed} old versions removed; serials seen by clients: ${during.serials.size}`,
      ],
    ]);
    await recordRow({
      section: 'swarm',
      metric: `failed requests during ${times.length} rotations (all clients)`,
      value: during.failed,
      unit: 'count',
      baselineName: 'same load, no rotation',
      baseline: baseline.failed,
      target: '0',
    });
  } finally {
    await removeSwarmBed(bed);
    await leaveSwarm(swarm);
  }
}

await main();

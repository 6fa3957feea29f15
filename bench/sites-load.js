// `npm run bench:sites`: what clients of one site see while another site comes and goes (issue 18). Clients on site A
// (keep-alive HTTP/1.1, HTTP/2, a new connection per request) while site B is added and removed ROUNDS times, beside a
// baseline phase of the same length with no change, in the same run and the same nginx. Prints a table; asserts nothing.
//
// The change is the one certkit makes to nginx, without certbot: B declared (or no longer declared) in a sites file,
// certkit's render (dist/), nginx/entrypoint.sh's `sites` (links, nginx -t) and a SIGHUP (a graceful reload). B keeps
// its certificate while it is gone, as certkit keeps it, so adding it back is one reload. (Through a labelled container
// and certkit's daemon the nginx side is the same; each round would add Docker events and certkit's run around it.)
// Only nginx runs, in the stand-in image(s), published on 127.0.0.1; certificates are self-signed (openssl CLI).
//   BENCH_NGINX_IMAGES=img1,img2   images to measure (default: every NGINX*_IMAGE in test/images/images*.env)
//   BENCH_SITE_ROUNDS=20           times B is added and removed
//   BENCH_ROUND_MS=1500            one round: B added, then removed half-way
import { mkdir } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { printTable, recordRow } from './bench-table.js';
import { CLIENT_KINDS, describeFailures, runHttpsLoad } from './https-load.js';
import {
  atLeast,
  inWorkFolder,
  nginxComplaints,
  nginxImages,
  nginxVersion,
  progress,
  requireBuild,
  run,
  sleep,
  startNginx,
  waitForSerial,
} from './nginx-bench.js';
import { deploy, makeCertificate, prepareKit, renderSites } from './nginx-kit.js';

const ROUNDS = Number(process.env.BENCH_SITE_ROUNDS ?? 20);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 1500);
const ENV_NAME = 'bench.certkit.test';
const SITE_A = { id: 'site-a', names: ['a.bench.certkit.test'] };
const SITE_B = { id: 'site-b', names: ['b.bench.certkit.test'] };
const WORKERS = { 'keep-alive': 4, http2: 2, 'new-connection': 1 };

/** certkit's change to nginx for these sites: render, link (nginx -t), reload. */
async function applySites(kit, container, sites) {
  await renderSites(kit, sites);
  await run('docker', ['exec', container.id, '/bin/sh', '/etc/certkit/nginx/entrypoint.sh', 'sites']);
  await run('docker', ['kill', '-s', 'HUP', container.id]);
}

/** One phase under load on site A: ROUNDS rounds, each adding and removing B (changes) or nothing (baseline). */
async function phase(kit, container, changes, serialB) {
  let finish;
  const stop = new Promise((resolve) => (finish = resolve));
  const load = runHttpsLoad({
    port: container.port,
    servername: SITE_A.names[0],
    stop,
    workers: WORKERS,
    retry: true,
    maxRequests: 1_000_000,
    maxMs: ROUNDS * ROUND_MS + 60_000,
  });
  let servedB = 0;
  let reloads = 0;
  const deadline = Date.now() + ROUNDS * ROUND_MS * 3;
  for (let round = 0; round < ROUNDS && Date.now() < deadline; round += 1) {
    const started = Date.now();
    if (changes) {
      await applySites(kit, container, [SITE_A, SITE_B]);
      reloads += 1;
      if ((await waitForSerial(container.port, SITE_B.names[0], serialB, ROUND_MS / 2)) !== Infinity) servedB += 1;
      await sleep(Math.max(0, started + ROUND_MS / 2 - Date.now()));
      await applySites(kit, container, [SITE_A]);
      reloads += 1;
    }
    await sleep(Math.max(0, started + ROUND_MS - Date.now()));
  }
  await sleep(300);
  finish();
  return { result: await load, servedB, reloads };
}

function measure(image, version, keepaliveMin) {
  return inWorkFolder('certkit-bench-sites-', async (work, started) => {
    const kit = await prepareKit(work, ENV_NAME, [SITE_A]);
    const certs = join(work, 'certs');
    await mkdir(certs);
    const serials = {};
    for (const [certName, names] of [
      [ENV_NAME, [ENV_NAME]],
      [SITE_A.id, SITE_A.names],
      [SITE_B.id, SITE_B.names],
    ]) {
      const certificate = await makeCertificate(certs, names);
      await deploy(kit, certificate, certName);
      serials[certName] = certificate.serial;
    }
    const container = started(
      await startNginx(image, kit, {
        label: 'sites-load',
        env: keepaliveMin === undefined ? {} : { CERTKIT_NGINX_KEEPALIVE_MIN_TIMEOUT: keepaliveMin },
      }),
    );
    if ((await waitForSerial(container.port, SITE_A.names[0], serials[SITE_A.id], 15_000)) === Infinity)
      throw new Error(`nginx ${version} never served site A`);
    progress(`  baseline: ${ROUNDS} rounds of ${ROUND_MS} ms, no change`);
    const baseline = await phase(kit, container, false);
    progress(`    ${baseline.result.ok + baseline.result.failed} requests, first attempts failed: ${describeFailures(baseline.result)}`);
    progress(`  changes: site B added and removed ${ROUNDS} times`);
    const changes = await phase(kit, container, true, serials[SITE_B.id]);
    progress(`    ${changes.result.ok + changes.result.failed} requests, first attempts failed: ${describeFailures(changes.result)}`);
    const complaints = await nginxComplaints(container);
    if (complaints.length > 0) progress(`  nginx logged ${complaints.length} warnings or errors, first: ${complaints[0]}`);
    return { baseline, changes };
  });
}

async function main() {
  requireBuild();
  const lines = [];
  for (const image of nginxImages()) {
    const version = await nginxVersion(image);
    // keepalive_min_timeout exists from 1.27.4: measured with the kit's default (1s) and without it (0).
    const variants = atLeast(version, '1.27.4')
      ? [
          ['keepalive_min_timeout 1s', undefined],
          ['no keepalive_min_timeout', '0'],
        ]
      : [['(no keepalive_min_timeout in this nginx)', undefined]];
    for (const [label, keepaliveMin] of variants) {
      progress(`nginx ${version}, ${label}`);
      const { baseline, changes } = await measure(image, version, keepaliveMin);
      const section = `sites, nginx ${version}, ${label}`;
      for (const kind of CLIENT_KINDS) {
        const [b, c] = [baseline.result.byKind[kind], changes.result.byKind[kind]];
        lines.push([
          version,
          label,
          kind,
          `${b.ok + b.failed} / ${c.ok + c.failed}`,
          `${b.firstFailed} / ${c.firstFailed}`,
          `${b.failed} / ${c.failed}`,
          (c.firstFailed / Math.max(1, changes.reloads)).toFixed(2),
        ]);
        await recordRow({
          section,
          metric: `failed requests to site A, no retry: ${kind} (${changes.reloads} reloads)`,
          value: c.firstFailed,
          unit: 'count',
          baselineName: 'same time, no change',
          baseline: b.firstFailed,
          target: '0',
        });
        await recordRow({
          section,
          metric: `failed requests to site A, one retry as browsers do: ${kind}`,
          value: c.failed,
          unit: 'count',
          baselineName: 'same time, no change',
          baseline: b.failed,
          target: '0',
        });
      }
      lines.push([version, label, `site B served after each add`, '', `${changes.servedB} of ${ROUNDS}`, '', '']);
    }
  }
  printTable(
    `Site A's clients while site B is added and removed ${ROUNDS} times (${ROUNDS * 2} graceful reloads: certkit's render, ` +
      `entrypoint.sh sites, SIGHUP; no certbot), beside a baseline of the same length with no change; ` +
      `${Object.entries(WORKERS)
        .map(([kind, count]) => `${count} ${kind}`)
        .join(', ')} clients; machine: ${cpus().length} cores`,
    [
      [
        'nginx',
        'variant',
        'client',
        'requests (baseline / changes)',
        'failed, no retry (b / c)',
        'failed, one retry (b / c)',
        'failed per reload, no retry',
      ],
      ...lines,
    ],
  );
}

await main();

// `npm run bench:reload`: what clients see of a certificate renewal, per nginx image and per way of loading the
// certificate (nginx/entrypoint.sh's modes): `reload` (a fixed path and a graceful reload, the baseline), `handshake`
// (read at each handshake) and `cached` (ssl_certificate_cache, nginx 1.27.4+). For each: failed requests per client
// kind across RENEWALS renewals under a bounded load, the time from the new bundle's rename (where certbot's deploy
// hook ends) to the new serial served, and nginx's CPU per full TLS handshake. Prints a table; asserts nothing.
//
// Only nginx runs, in the stand-in image(s), published on 127.0.0.1; certificates are self-signed, made here with the
// openssl CLI, and deployed by the kit's own rendered deploy hook (run here by sh, its folder pointed at a temp one).
//   BENCH_NGINX_IMAGES=img1,img2   images to measure (default: every NGINX*_IMAGE in test/images/images*.env)
//   BENCH_RENEWALS=20              renewals per mode
//   BENCH_MODES=reload,handshake   only these modes (default: every mode the nginx has)
//   BENCH_STORM=300                bundle swaps in the race measurement (0 skips it)
//   BENCH_HANDSHAKE_ROUNDS=5       rounds of full handshakes per mode (the median is shown)
import { chown, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { printTable, ratio, recordRow } from './bench-table.js';
import { describeFailures, runHttpsLoad, CLIENT_KINDS } from './https-load.js';
import {
  atLeast,
  containerLogs,
  measureHandshakes,
  median,
  nginxImages,
  nginxVersion,
  progress,
  removeContainer,
  requireBuild,
  run,
  sleep,
  startNginx as startKitNginx,
  waitForSerial as waitForSerialOf,
} from './nginx-bench.js';
import { deploy as deployAs, makeCertificate as makeCertificateFor, prepareKit as prepareKitFor } from './nginx-kit.js';

const RENEWALS = Number(process.env.BENCH_RENEWALS ?? 20);
const NAME = 'bench.certkit.test';
const HANDSHAKE_ROUNDS = Number(process.env.BENCH_HANDSHAKE_ROUNDS ?? 5);
const STORM = Number(process.env.BENCH_STORM ?? 300);
const KEY_READER_GID = 10443;

/** A new key and self-signed certificate (a renewal makes a new key too). */
const makeCertificate = (dir) => makeCertificateFor(dir, [NAME]);
const deploy = (kit, certificate) => deployAs(kit, certificate);
const prepareKit = (work) => prepareKitFor(work, NAME);
const startNginx = (image, kit, mode) => startKitNginx(image, kit, { label: 'renewal-load', env: { CERTKIT_NGINX_TLS: mode } });
const waitForSerial = (port, serial, timeoutMs) => waitForSerialOf(port, NAME, serial, timeoutMs);

async function measureMode(image, mode) {
  const work = await mkdtemp(join(tmpdir(), 'certkit-bench-reload-'));
  let container;
  try {
    const kit = await prepareKit(work);
    const certs = join(work, 'certs');
    await mkdir(certs);
    let current = await makeCertificate(certs);
    await deploy(kit, current);
    container = await startNginx(image, kit, mode);
    if ((await waitForSerial(container.port, current.serial, 15_000)) === Infinity) {
      throw new Error(`nginx (${mode}) never served HTTPS:\n${await containerLogs(container)}`);
    }

    // Renewals under load: each one deploys a new bundle (and, in reload mode, sends the SIGHUP certkit would).
    const latencies = [];
    let finish;
    const stop = new Promise((resolve) => (finish = resolve));
    const load = runHttpsLoad({
      port: container.port,
      servername: NAME,
      stop,
      workers: { 'keep-alive': 4, http2: 2, 'new-connection': 1 },
      maxRequests: 200_000,
      maxMs: 30_000 + RENEWALS * 3_000,
    });
    for (let i = 0; i < RENEWALS; i += 1) {
      await sleep(300 + Math.random() * 400);
      current = await makeCertificate(certs);
      await deploy(kit, current);
      const started = performance.now();
      if (mode === 'reload') await run('docker', ['kill', '-s', 'HUP', container.id]);
      latencies.push(performance.now() - started + (await waitForSerial(container.port, current.serial, 10_000)));
    }
    await sleep(500);
    finish();
    const result = await load;

    // Full handshakes at fixed concurrency: nginx CPU per handshake and handshakes per second, the median of a few
    // rounds (one round's CPU per handshake varied by ±4% between runs: the clients share the machine's two cores).
    const rounds = [];
    for (let round = 0; round < HANDSHAKE_ROUNDS; round += 1) rounds.push(await measureHandshakes(container, NAME));
    const logs = await containerLogs(container);
    const nginxErrors = logs.split('\n').filter((line) => /\[(crit|error|emerg|alert)\]/.test(line));
    if (nginxErrors.length > 0) progress(`  nginx logged ${nginxErrors.length} errors, first: ${nginxErrors[0]}`);
    return {
      requests: result.ok + result.failed,
      failedByKind: Object.fromEntries(CLIENT_KINDS.map((kind) => [kind, result.byKind[kind].failed])),
      failures: describeFailures(result),
      latencyMedian: median(latencies),
      latencyMax: Math.max(...latencies),
      handshakesPerSecond: median(rounds.map((round) => round.handshakesPerSecond)),
      cpuMsPerHandshake: median(rounds.map((round) => round.cpuMsPerHandshake)),
    };
  } finally {
    await removeContainer(container);
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * The race behind failed new connections in `handshake` mode: nginx opens the bundle twice per handshake (certificate,
 * then key), so a bundle renamed in place between the two pairs a certificate with the other version's key. Two
 * certificates are swapped STORM times, as fast as they deploy, under new-connection clients only; `renamed` deploys
 * as the hook did before (bundle.pem alone, renamed in; nginx then reads bundle.pem by name), `versions` with the
 * kit's hook (tls/N.pem, tls/current.pem resolved once per handshake).
 */
async function measureSwapStorm(image, layout) {
  const work = await mkdtemp(join(tmpdir(), 'certkit-bench-storm-'));
  let container;
  try {
    const kit = await prepareKit(work);
    const certs = join(work, 'certs');
    await mkdir(certs);
    const pair = [await makeCertificate(certs), await makeCertificate(certs)];
    const folder = join(work, 'deploy', NAME);
    const swap = async (certificate) => {
      if (layout === 'versions') return deploy(kit, certificate);
      await mkdir(folder, { recursive: true });
      const staged = join(folder, '.bundle.pem.certkit-new');
      await writeFile(staged, certificate.key + certificate.cert, { mode: 0o640 });
      await chown(staged, 0, KEY_READER_GID);
      await rename(staged, join(folder, 'bundle.pem'));
    };
    await swap(pair[0]);
    container = await startNginx(image, kit, 'handshake');
    if ((await waitForSerial(container.port, pair[0].serial, 15_000)) === Infinity) throw new Error(`nginx (${layout}) never served HTTPS`);
    let finish;
    const stop = new Promise((resolve) => (finish = resolve));
    const load = runHttpsLoad({
      port: container.port,
      servername: NAME,
      stop,
      workers: { 'keep-alive': 0, http2: 0, 'new-connection': 4 },
      maxRequests: 100_000,
      maxMs: 120_000,
    });
    const started = performance.now();
    for (let i = 1; i <= STORM && performance.now() - started < 90_000; i += 1) await swap(pair[i % 2]);
    finish();
    const result = await load;
    return { requests: result.ok + result.failed, failed: result.failed, failures: describeFailures(result) };
  } finally {
    await removeContainer(container);
    await rm(work, { recursive: true, force: true });
  }
}

const ms = (value) => (value === Infinity ? 'never' : `${value.toFixed(0)} ms`);

async function main() {
  requireBuild();
  const rows = [];
  for (const image of nginxImages()) {
    const version = await nginxVersion(image);
    const modes = ['reload', 'handshake', ...(atLeast(version, '1.27.4') ? ['cached'] : [])].filter(
      (mode) => !process.env.BENCH_MODES || process.env.BENCH_MODES.split(',').includes(mode),
    );
    const results = {};
    for (const mode of modes) {
      progress(`nginx ${version}: ${mode} (${RENEWALS} renewals under load)`);
      results[mode] = await measureMode(image, mode);
      progress(`  ${results[mode].requests} requests, failures: ${results[mode].failures}`);
    }
    const base = results.reload;
    const row = async (metric, pick, format, unit, target) => {
      const cells = [version, metric, base ? format(pick(base)) : '-'];
      for (const mode of ['handshake', 'cached']) {
        const value = results[mode] ? pick(results[mode]) : undefined;
        cells.push(value === undefined ? '-' : format(value), value === undefined || !base ? '' : ratio(value, pick(base)));
        if (value !== undefined)
          await recordRow({
            section: `renewal, nginx ${version}`,
            metric: `${metric}, ${mode}`,
            value,
            unit,
            baselineName: 'reload',
            baseline: base ? pick(base) : undefined,
            target: target?.(mode) ?? '',
          });
      }
      rows.push(cells);
    };
    await row('requests sent', (r) => r.requests, String, 'count');
    for (const kind of CLIENT_KINDS)
      await row(
        `failed: ${kind}`,
        (r) => r.failedByKind[kind],
        String,
        'count',
        () => '0',
      );
    await row(
      'deploy → new serial, median',
      (r) => r.latencyMedian,
      ms,
      'ms',
      () => '< 1000 ms',
    );
    await row(
      'deploy → new serial, max',
      (r) => r.latencyMax,
      ms,
      'ms',
      () => '< 1000 ms',
    );
    await row(
      'full handshakes/s',
      (r) => r.handshakesPerSecond,
      (v) => v.toFixed(0),
      'count',
    );
    await row(
      'nginx CPU per handshake',
      (r) => r.cpuMsPerHandshake,
      (v) => `${v.toFixed(3)} ms`,
      'ms',
      (mode) => (mode === 'cached' ? '<= 1.10x static' : 'measured'),
    );
    if (STORM > 0) {
      progress(`nginx ${version}: ${STORM} bundle swaps under new connections, bundle renamed in place vs immutable versions`);
      const renamed = await measureSwapStorm(image, 'renamed');
      const versions = await measureSwapStorm(image, 'versions');
      progress(
        `  renamed in place: ${renamed.requests} requests, ${renamed.failures}; versions: ${versions.requests} requests, ${versions.failures}`,
      );
      rows.push([
        version,
        `failed new connections, ${STORM} swaps`,
        `renamed: ${renamed.failed}`,
        `versions: ${versions.failed}`,
        '',
        '',
        '',
      ]);
      await recordRow({
        section: `renewal, nginx ${version}`,
        metric: `failed new connections over ${STORM} rapid bundle swaps, handshake`,
        value: versions.failed,
        unit: 'count',
        baselineName: 'bundle renamed in place',
        baseline: renamed.failed,
        target: '0',
      });
    }
  }
  printTable(
    `Renewals reaching clients (${RENEWALS} renewals per mode, ${CLIENT_KINDS.join(' / ')} clients; machine: ${cpus().length} cores)`,
    [['nginx', 'metric', 'reload (baseline)', 'handshake', 'ratio', 'cached', 'ratio'], ...rows],
  );
}

await main();

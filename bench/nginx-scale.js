// nginx with many sites (issue 18, item 7), in the same run and the same image(s): certkit's rendering for SITES other
// sites beside the .env site, against the baseline of the goal, plain nginx serving the same sites as written by hand
// (bench/nginx-hand.js: one server block per site on 443 with a static certificate, one shared port-80 server); and,
// for information, against certkit's rendering with one other site (how much grows with the number of sites). Every
// site proxies to an upstream of its own. Figures: nginx's memory (RSS of the master and workers, summed, so pages
// they share count once per process; and PSS, which counts them once), its configuration load time (`nginx -t`), and
// nginx's CPU per full TLS handshake with one site. Also counts what nginx warns about at each size
// (server_names_hash, say). Prints a table; asserts nothing. Only nginx runs, in the stand-in image(s), published on
// 127.0.0.1.
//   BENCH_NGINX_IMAGES=img1,img2   images to measure (default: every NGINX*_IMAGE in test/images/images*.env)
//   BENCH_SCALE_SITES=1000         the other sites at scale
//   BENCH_HANDSHAKE_ROUNDS=5       rounds of full handshakes per size (the median is shown)
// On an nginx without ssl_certificate_cache (before 1.27.4), where certkit's default loads the certificate at every
// full handshake, certkit's rendering at scale is also measured with CERTKIT_NGINX_TLS=reload (the documented opt-out:
// certificates loaded at reloads), against the same hand-written baseline.
import { cp, mkdir } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { formatValue, printTable, ratio, recordRow } from './bench-table.js';
import {
  atLeast,
  containerLogs,
  inWorkFolder,
  measureHandshakes,
  median,
  nginxImages,
  nginxPssMiB,
  nginxRssMiB,
  nginxVersion,
  progress,
  requireBuild,
  run,
  startNginx,
  waitForSerial,
} from './nginx-bench.js';
import { prepareHandWritten } from './nginx-hand.js';
import { deploy, loadCertkit, makeCertificate, prepareKit } from './nginx-kit.js';

const SITES = Number(process.env.BENCH_SCALE_SITES ?? 1000);
const HANDSHAKE_ROUNDS = Number(process.env.BENCH_HANDSHAKE_ROUNDS ?? 5);
const CONFIG_TESTS = 10;
const ENV_NAME = 'bench.certkit.test';
/**
 * Site number i: two names, as a site with its www name has, and an upstream of its own (nothing listens there); but
 * site 1, the one the handshakes are measured with, answers itself (certkit's placeholder page), as the load counts
 * only answered requests.
 */
const site = (i) => ({
  id: `site-${i}`,
  names: [`site-${i}.bench.certkit.test`, `www.site-${i}.bench.certkit.test`],
  upstream: i === 1 ? undefined : `http://127.0.0.1:${10000 + i}`,
});

/**
 * Milliseconds per `nginx -t`: runs of CONFIG_TESTS in one exec, less the same runs of `nginx -v` (the exec and
 * nginx's start), the median of three; and the warnings one `nginx -t` prints.
 */
async function configLoadMs(container) {
  const loop = (command) => `i=0; while [ $i -lt ${CONFIG_TESTS} ]; do ${command} >/dev/null 2>&1; i=$((i + 1)); done`;
  const timed = async (command) => {
    const started = performance.now();
    await run('docker', ['exec', container.id, 'sh', '-c', loop(command)]);
    return performance.now() - started;
  };
  const test = 'nginx -t -c /etc/certkit/nginx/nginx.conf';
  const perTest = [];
  for (let i = 0; i < 3; i += 1) perTest.push(((await timed(test)) - (await timed('nginx -v'))) / CONFIG_TESTS);
  const once = await run('docker', ['exec', container.id, 'sh', '-c', test]).catch((error) => error);
  const warnings = (once.stderr ?? '').split('\n').filter((line) => /\[(warn|emerg)\]/.test(line));
  return { ms: Math.max(0, median(perTest)), warnings };
}

/** nginx's warnings, the same one said of several lines counted once (its file and line left out). */
function countWarnings(warnings) {
  const counts = new Map();
  for (const line of warnings) {
    const text = line.replace(/^.*?\[(warn|emerg)\] \d+#\d+: /, '').replace(/ in \S+:\d+$/, '');
    counts.set(text, (counts.get(text) ?? 0) + 1);
  }
  return counts;
}

/** nginx's figures once it serves `certificate` for `measured`: memory, configuration load, full handshakes. */
async function measureServing(container, measured, certificate) {
  if ((await waitForSerial(container.port, measured.names[0], certificate.serial, 120_000)) === Infinity)
    throw new Error(`nginx never served ${measured.names[0]}:\n${await containerLogs(container)}`);
  const load = await configLoadMs(container);
  const rounds = [];
  for (let round = 0; round < HANDSHAKE_ROUNDS; round += 1) rounds.push(await measureHandshakes(container, measured.names[0]));
  return {
    rssMiB: await nginxRssMiB(container.id),
    pssMiB: await nginxPssMiB(container.id),
    configMs: load.ms,
    warnings: load.warnings,
    cpuMsPerHandshake: median(rounds.map((r) => r.cpuMsPerHandshake)),
    handshakesPerSecond: median(rounds.map((r) => r.handshakesPerSecond)),
  };
}

/**
 * certkit's rendering with `count` other sites, each with its certificate deployed by the kit's hook; `env` is the
 * nginx container's (CERTKIT_NGINX_TLS=reload: the certificate loaded at reloads, the opt-out of handshake loading).
 */
function measureCertkit(image, count, env = {}) {
  return inWorkFolder('certkit-bench-scale-', async (work, started) => {
    const sites = Array.from({ length: count }, (_, i) => site(i + 1));
    const renderStart = performance.now();
    const kit = await prepareKit(work, ENV_NAME, sites);
    const renderMs = performance.now() - renderStart;
    const certs = join(work, 'certs');
    await mkdir(certs);
    await deploy(kit, await makeCertificate(certs, [ENV_NAME]));
    const measured = sites[0];
    const certificate = await makeCertificate(certs, measured.names);
    await deploy(kit, certificate, measured.id);
    // The other sites' certificates are copies of the first one's deployed folder: nginx reads only the measured
    // site's at the handshakes, and every site is linked to HTTPS as one with its certificate is.
    for (const other of sites.slice(1))
      await cp(join(work, 'deploy', measured.id), join(work, 'deploy', other.id), { recursive: true, verbatimSymlinks: true });
    const container = started(await startNginx(image, kit, { label: 'nginx-scale', env }));
    return { renderMs, ...(await measureServing(container, measured, certificate)) };
  });
}

/** The hand-written baseline with the same sites (the .env site among them), each with a copy of one certificate. */
function measureHandWritten(image, version, count) {
  return inWorkFolder('certkit-bench-scale-hand-', async (work, started) => {
    const sites = [{ id: 'env', names: [ENV_NAME], upstream: 'http://127.0.0.1:10000' }];
    for (let i = 1; i <= count; i += 1) sites.push(site(i));
    const measured = sites[1];
    const certs = join(work, 'certs');
    await mkdir(certs);
    const certificate = await makeCertificate(certs, measured.names);
    const kit = await prepareHandWritten(work, version, sites, certificate);
    const container = started(await startNginx(image, kit, { label: 'nginx-scale-hand' }));
    return measureServing(container, measured, certificate);
  });
}

const FIGURES = [
  ['nginx memory (RSS, master + workers)', (r) => r.rssMiB, 'MiB', '<= 1.10x'],
  ['nginx memory (PSS: shared pages counted once)', (r) => r.pssMiB, 'MiB', '<= 1.10x'],
  ['configuration load (nginx -t)', (r) => r.configMs, 'ms', '<= 1.10x'],
  ['nginx CPU per full handshake, one site', (r) => r.cpuMsPerHandshake, 'ms', '<= 1.10x'],
  ['full handshakes/s, one site', (r) => r.handshakesPerSecond, 'count', '-'],
  ['nginx -t warnings', (r) => r.warnings.length, 'count', '0'],
];

async function main() {
  requireBuild();
  await loadCertkit();
  const lines = [];
  for (const image of nginxImages()) {
    const version = await nginxVersion(image);
    progress(`nginx ${version}: certkit with 1 site, then ${SITES} sites; hand-written with ${SITES} sites`);
    const one = await measureCertkit(image, 1);
    const many = await measureCertkit(image, SITES);
    const hand = await measureHandWritten(image, version, SITES);
    const reloadMode = atLeast(version, '1.27.4') ? undefined : await measureCertkit(image, SITES, { CERTKIT_NGINX_TLS: 'reload' });
    for (const [size, result] of [
      [`certkit, 1 site`, one],
      [`certkit, ${SITES} sites`, many],
      [`hand-written, ${SITES} sites`, hand],
      ...(reloadMode ? [[`certkit reload mode, ${SITES} sites`, reloadMode]] : []),
    ])
      for (const [warning, times] of countWarnings(result.warnings)) progress(`  ${size}: nginx -t warns ${times}×: ${warning}`);
    const comparisons = [
      [`hand-written, ${SITES} sites`, hand, FIGURES],
      // How much grows with the number of sites, for information: nginx's own growth is in the hand-written rows.
      [
        'certkit, 1 site',
        one,
        [['render (certkit, in process)', (r) => r.renderMs, 'ms', '-'], ...FIGURES.map(([m, p, u]) => [m, p, u, '-'])],
      ],
    ];
    if (reloadMode) comparisons.push([`hand-written, ${SITES} sites`, hand, FIGURES, reloadMode, ' (CERTKIT_NGINX_TLS=reload)']);
    for (const [baselineName, baseline, figures, measured = many, mode = ''] of comparisons)
      for (const [metric, pick, unit, target] of figures) {
        lines.push([
          version,
          `${metric}${mode}`,
          formatValue(pick(measured), unit),
          baselineName,
          formatValue(pick(baseline), unit),
          ratio(pick(measured), pick(baseline)),
          target,
        ]);
        await recordRow({
          section: `nginx scale, nginx ${version}`,
          metric: `${metric}, ${SITES} sites${mode}`,
          value: pick(measured),
          unit,
          baselineName,
          baseline: pick(baseline),
          target,
        });
      }
  }
  printTable(
    `nginx with ${SITES} sites: certkit's rendering against the same sites written by hand (the goal) and against certkit with 1 site (growth); machine: ${cpus().length} cores`,
    [['nginx', 'figure', `certkit, ${SITES} sites`, 'baseline', 'baseline value', 'ratio', 'target'], ...lines],
  );
}

await main();

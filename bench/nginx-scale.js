// nginx with many sites (issue 18, item 7): certkit's rendering for SITES other sites beside the .env site, against
// the same with one other site, in the same run and the same image: nginx's memory (RSS of the master and workers,
// summed, so pages they share count once per process; and PSS, which counts them once), its configuration load time (`nginx -t`), and nginx's CPU per
// full TLS handshake with one site. Also counts what nginx warns about at each size (server_names_hash, say).
// Prints a table; asserts nothing. Only nginx runs, in the stand-in image(s), published on 127.0.0.1.
//   BENCH_NGINX_IMAGES=img1,img2   images to measure (default: every NGINX*_IMAGE in test/images/images*.env)
//   BENCH_SCALE_SITES=1000         the other sites at scale
//   BENCH_HANDSHAKE_ROUNDS=5       rounds of full handshakes per size (the median is shown)
import { cp, mkdir } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { printTable, ratio, recordRow } from './bench-table.js';
import {
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
import { deploy, loadCertkit, makeCertificate, prepareKit } from './nginx-kit.js';

const SITES = Number(process.env.BENCH_SCALE_SITES ?? 1000);
const HANDSHAKE_ROUNDS = Number(process.env.BENCH_HANDSHAKE_ROUNDS ?? 5);
const CONFIG_TESTS = 10;
const ENV_NAME = 'bench.certkit.test';
/** Site number i: two names, as a site with its www name has. */
const site = (i) => ({ id: `site-${i}`, names: [`site-${i}.bench.certkit.test`, `www.site-${i}.bench.certkit.test`] });

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

function measure(image, count) {
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
    const container = started(await startNginx(image, kit, { label: 'nginx-scale' }));
    if ((await waitForSerial(container.port, measured.names[0], certificate.serial, 120_000)) === Infinity)
      throw new Error(`nginx with ${count} sites never served ${measured.names[0]}:\n${await containerLogs(container)}`);
    const load = await configLoadMs(container);
    const rounds = [];
    for (let round = 0; round < HANDSHAKE_ROUNDS; round += 1) rounds.push(await measureHandshakes(container, measured.names[0]));
    return {
      renderMs,
      rssMiB: await nginxRssMiB(container.id),
      pssMiB: await nginxPssMiB(container.id),
      configMs: load.ms,
      warnings: load.warnings,
      cpuMsPerHandshake: median(rounds.map((r) => r.cpuMsPerHandshake)),
      handshakesPerSecond: median(rounds.map((r) => r.handshakesPerSecond)),
    };
  });
}

async function main() {
  requireBuild();
  await loadCertkit();
  const lines = [];
  for (const image of nginxImages()) {
    const version = await nginxVersion(image);
    progress(`nginx ${version}: 1 site, then ${SITES} sites`);
    const one = await measure(image, 1);
    const many = await measure(image, SITES);
    for (const [size, result] of [
      [1, one],
      [SITES, many],
    ])
      for (const [warning, times] of countWarnings(result.warnings)) progress(`  ${size} sites: nginx -t warns ${times}×: ${warning}`);
    const rows = [
      ['render (certkit, in process)', (r) => r.renderMs, 'ms', '-'],
      ['nginx memory (RSS, master + workers)', (r) => r.rssMiB, 'MiB', '<= 1.10x'],
      ['nginx memory (PSS: shared pages counted once)', (r) => r.pssMiB, 'MiB', '<= 1.10x'],
      ['configuration load (nginx -t)', (r) => r.configMs, 'ms', '<= 1.10x'],
      ['nginx CPU per full handshake, one site', (r) => r.cpuMsPerHandshake, 'ms', '<= 1.10x'],
      ['full handshakes/s, one site', (r) => r.handshakesPerSecond, 'count', '-'],
      ['nginx -t warnings', (r) => r.warnings.length, 'count', '0'],
    ];
    for (const [metric, pick, unit, target] of rows) {
      const format = (value) =>
        unit === 'count' ? value.toFixed(0) : unit === 'MiB' ? `${value.toFixed(1)} MiB` : `${value.toFixed(1)} ms`;
      lines.push([version, metric, format(pick(one)), format(pick(many)), ratio(pick(many), pick(one)), target]);
      await recordRow({
        section: `nginx scale, nginx ${version}`,
        metric: `${metric}, ${SITES} sites`,
        value: pick(many),
        unit,
        baselineName: '1 site',
        baseline: pick(one),
        target,
      });
    }
  }
  printTable(
    `nginx with ${SITES} sites beside 1 site (certkit's rendering, each site with its certificate; machine: ${cpus().length} cores)`,
    [['nginx', 'figure', '1 site (baseline)', `${SITES} sites`, 'ratio', 'target'], ...lines],
  );
}

await main();

// Part of `npm run bench`: how fast the CLI answers, beside baselines measured in the same run: node's own start
// (`node -e 0`), certkit as it was before issue 11 (BENCH_BASELINE_REF, built from git into a temp folder), and
// `certbot certificates` on the same store, with each certbot the stand-in images have (2.1 and 5.x). Prints a table;
// asserts nothing (timings belong in reports, not tests).
//   BENCH_BASELINE_REF=c50ce83   the commit to compare with ('' to skip)
//   BENCH_RUNS=5                 runs per figure (the median is shown)
//   BENCH_SIZES=1000,5000        store sizes for status
//   BENCH_STACK=legacy           the stand-in stack a no-op `certkit update` runs on ('' skips it; needs Docker)
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imagesFor, progress, REPO, run, startStack, stopStack } from './bench-stack.js';
import { printTable, recordRow, tableLines } from './bench-table.js';
import { makeCertbotStore } from './make-certbot-store.js';

const REF = process.env.BENCH_BASELINE_REF ?? 'c50ce83';
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SIZES = (process.env.BENCH_SIZES ?? '1000,5000').split(',').filter(Boolean).map(Number);
const STACK = process.env.BENCH_STACK ?? 'legacy';
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const rows = [];

/** One figure: certkit's value beside a baseline from the same run, and the target when it sets one. */
async function record(metric, valueMs, baselineName, baselineMs, targetMs) {
  const row = {
    section: 'CLI',
    metric,
    value: valueMs,
    unit: 's',
    baselineName,
    baseline: baselineMs,
    target: typeof targetMs === 'string' ? targetMs : targetMs ? `< ${(targetMs / 1000).toFixed(2)} s` : '',
  };
  rows.push(row);
  await recordRow(row);
}

/** The median wall time of a whole process; any exit code is accepted (status exits 1 on problems, a bad .env 2). */
async function timeProcess(argv, options = {}, runs = RUNS) {
  const times = [];
  for (let index = 0; index < runs; index += 1) {
    const started = performance.now();
    await run(argv[0], argv.slice(1), { maxBuffer: 512 * 1024 * 1024, ...options }).catch((error) => {
      if (typeof error.code !== 'number') throw error;
    });
    times.push(performance.now() - started);
  }
  return median(times);
}

/** certkit at REF, built into `work` with this checkout's node_modules; undefined when it cannot be built. */
async function buildBaseline(work) {
  if (!REF) return undefined;
  const dir = join(work, 'baseline');
  try {
    await mkdir(dir);
    await run('git', ['-C', REPO, 'archive', '--format=tar', '-o', join(work, 'baseline.tar'), REF]);
    await run('tar', ['-xf', join(work, 'baseline.tar'), '-C', dir]);
    await symlink(join(REPO, 'node_modules'), join(dir, 'node_modules'));
    await run(join(REPO, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], { cwd: dir });
    return join(dir, 'bin', 'certkit.js');
  } catch (error) {
    progress(`no baseline: cannot build ${REF} (${error.message.split('\n')[0]})`);
    return undefined;
  }
}

/** `certbot certificates` inside a certbot container, on a copy of the store (it takes a lock in its config dir). */
async function timeCertbot(image, store, runs) {
  // busybox's date has no nanoseconds: Python (every certbot image has it) times the certbot process.
  const timer = [
    'import subprocess, time',
    'argv = ["certbot", "certificates", "--config-dir", "/etc/letsencrypt", "--work-dir", "/tmp/work", "--logs-dir", "/tmp/logs"]',
    'start = time.monotonic()',
    'subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)',
    'print("elapsed_ns=%d" % ((time.monotonic() - start) * 1e9))',
  ].join('\n');
  const script = `set -e\ncp -a /store/. /etc/letsencrypt/\npython3 -c '${timer}'`;
  const times = [];
  for (let index = 0; index < runs; index += 1) {
    const { stdout } = await run(
      'docker',
      ['run', '--rm', '--network', 'none', '-v', `${store}:/store:ro`, '--entrypoint', 'sh', image, '-c', script],
      {
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const match = /elapsed_ns=(\d+)/.exec(stdout);
    if (!match) throw new Error(`unexpected output from the certbot container: ${stdout}`);
    times.push(Number(match[1]) / 1e6);
  }
  return median(times);
}

/** `certbot --version` of an image: "2.1.0". */
async function certbotVersion(image) {
  const { stdout, stderr } = await run('docker', ['run', '--rm', '--network', 'none', '--entrypoint', 'certbot', image, '--version']);
  return /certbot\s+(\S+)/.exec(`${stdout}${stderr}`)?.[1] ?? image;
}

async function main() {
  const work = await mkdtemp(join(tmpdir(), 'certkit-bench-cli-'));
  try {
    const certkit = join(REPO, 'bin', 'certkit.js');
    const baseline = await buildBaseline(work);
    const badEnv = join(work, 'bad');
    await mkdir(badEnv);
    await writeFile(join(badEnv, '.env'), 'CERTBOT_DOMAIN=exa mple.com\nCERTBOT_EMAIL=admin@example.org\n');

    progress('node start, --help and a configuration error');
    const node = await timeProcess([process.execPath, '-e', '0']);
    await record('node -e 0 (node itself)', node, 'node -e 0', node);
    const help = await timeProcess([process.execPath, certkit, '--help']);
    await record('certkit --help', help, 'node -e 0', node, 150);
    if (baseline) await record('certkit --help', help, `certkit ${REF}`, await timeProcess([process.execPath, baseline, '--help']), 150);
    const bad = await timeProcess([process.execPath, certkit, '-C', badEnv, 'update']);
    await record('configuration error (certkit update)', bad, 'node -e 0', node, 150);
    if (baseline)
      await record(
        'configuration error (certkit update)',
        bad,
        `certkit ${REF}`,
        await timeProcess([process.execPath, baseline, '-C', badEnv, 'update']),
        150,
      );

    const images = imagesFor(STACK || 'legacy');
    // certbot certificates is timed with every certbot the stand-ins have (2.1 on legacy, 5.x on current): the two
    // differ about threefold, and which one a user runs decides the ratio.
    const certbots = [];
    for (const stack of ['legacy', 'current']) {
      const image = imagesFor(stack)?.CERTBOT_IMAGE;
      if (image) certbots.push({ image, version: await certbotVersion(image) });
    }
    for (const size of SIZES) {
      const store = join(work, `store-${size}`);
      progress(`making a certbot store of ${size} certificates`);
      await makeCertbotStore(store, size, work);
      const argv = (bin) => [process.execPath, bin, 'status', '--store', store, '--json'];
      const status = await timeProcess(argv(certkit));
      const target = size <= 1000 ? 300 : 1500;
      // The floor: node's start plus the system calls status cannot skip, with nothing parsed (status-floor.js).
      const floor = await timeProcess([process.execPath, join(REPO, 'bench', 'status-floor.js'), store]);
      await record(`status --store, ${size} certificates`, status, 'its system calls alone (floor)', floor);
      for (const certbot of certbots) {
        progress(`certbot ${certbot.version} certificates over ${size}`);
        await record(
          `status --store, ${size} certificates`,
          status,
          `certbot ${certbot.version} certificates`,
          await timeCertbot(certbot.image, store, size <= 1000 ? 3 : 1),
          `< ${target / 1000} s, ≥ 20x less`,
        );
      }
      if (baseline)
        await record(`status --store, ${size} certificates`, status, `certkit ${REF}`, await timeProcess(argv(baseline)), target);
      await rm(store, { recursive: true, force: true });
    }

    if (STACK && images) {
      progress(`a no-op certkit update on the ${STACK} stand-ins`);
      const stack = await startStack(work, images, { stack: STACK });
      try {
        const update = (bin) => [process.execPath, bin, '--project-name', stack.project, 'update'];
        const options = { cwd: stack.dir, env: { ...process.env, CI: '' } };
        let issued = false;
        for (let attempt = 0; attempt < 10 && !issued; attempt += 1) {
          issued = await run(update(certkit)[0], update(certkit).slice(1), options).then(
            () => true,
            async () => {
              await new Promise((resolve) => setTimeout(resolve, 3_000));
              return false;
            },
          );
        }
        if (!issued) throw new Error('the first certkit update (issuance) never succeeded');
        const noop = await timeProcess(update(certkit), options);
        await record(`no-op update (${STACK} stand-ins)`, noop, 'node -e 0', node, 700);
        // A baseline that fails on today's stack would be timed failing, not updating: such a row is left out.
        const baselineRuns =
          baseline &&
          (await run(update(baseline)[0], update(baseline).slice(1), options).then(
            () => true,
            (error) => {
              progress(
                `no-op update: certkit ${REF} fails on this stack, so it is no baseline (${error.message.split('\n').slice(1).join(' ').trim()})`,
              );
              return false;
            },
          ));
        if (baselineRuns)
          await record(`no-op update (${STACK} stand-ins)`, noop, `certkit ${REF}`, await timeProcess(update(baseline), options), 700);
      } finally {
        await stopStack(stack);
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  printTable('CLI speed (median of each)', tableLines(rows));
}

await main();

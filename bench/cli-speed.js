// `npm run bench`: how long `certkit status` takes to read a 1,000-certificate certbot store, next to
// `certbot certificates` on the same store. Prints a table; asserts nothing (timings belong in reports, not tests).
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { makeCertbotStore } from './make-certbot-store.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('..', import.meta.url));
const IMAGES_ENV = join(REPO, 'test', 'images', 'images.env');
const COUNT = 1000;
const RUNS = 3;

function fail(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(1);
}

/** The stand-in certbot image build.sh made (no registry here); the benchmark cannot run certbot without it. */
async function certbotImage() {
  if (!existsSync(IMAGES_ENV)) fail(`${IMAGES_ENV} is missing: run \`npm run images\` (needs Docker) to build the stand-in certbot image`);
  const image = /^CERTBOT_IMAGE=(.+)$/m.exec(readFileSync(IMAGES_ENV, 'utf8'))?.[1]?.trim();
  if (!image) fail(`${IMAGES_ENV} names no CERTBOT_IMAGE: run \`npm run images\``);
  await run('docker', ['image', 'inspect', image]).catch((error) =>
    fail(`Docker or the image ${image} is not available (${error.message.split('\n')[0]})`),
  );
  return image;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const seconds = (ms) => (ms / 1000).toFixed(3);

/** The whole CLI process, as a user or a health check runs it. status exits 1 when it finds problems: not an error here. */
async function timeCertkit(store) {
  const started = performance.now();
  const result = await run(process.execPath, [join(REPO, 'bin', 'certkit.js'), 'status', '--store', store, '--json'], {
    maxBuffer: 256 * 1024 * 1024,
  }).catch((error) => (typeof error.code === 'number' && error.stdout ? error : fail(`certkit status failed: ${error.message}`)));
  const elapsed = performance.now() - started;
  const entries = JSON.parse(result.stdout);
  return { elapsed, certificates: entries.length, problems: entries.filter((entry) => entry.problems.length > 0).length };
}

/**
 * One container per run. certbot takes a lock in its config dir and its renewal confs name /etc/letsencrypt, so the
 * read-only store is copied there first; only `certbot certificates` itself is timed inside the container.
 */
async function timeCertbot(image, store) {
  const script = [
    'set -e',
    'cp -a /store/. /etc/letsencrypt/',
    'start=$(date +%s%N)',
    'certbot certificates --config-dir /etc/letsencrypt --work-dir /tmp/work --logs-dir /tmp/logs >/tmp/out 2>&1',
    'end=$(date +%s%N)',
    'echo "elapsed_ns=$((end - start)) listed=$(grep -c "Certificate Name:" /tmp/out)"',
  ].join('\n');
  const started = performance.now();
  const { stdout } = await run('docker', [
    'run',
    '--rm',
    '--network',
    'none',
    '-v',
    `${store}:/store:ro`,
    '--entrypoint',
    'sh',
    image,
    '-c',
    script,
  ]);
  const whole = performance.now() - started;
  const match = /elapsed_ns=(\d+) listed=(\d+)/.exec(stdout);
  if (!match) fail(`unexpected output from the certbot container: ${stdout}`);
  return { elapsed: Number(match[1]) / 1e6, whole, certificates: Number(match[2]) };
}

const image = await certbotImage();
const work = await mkdtemp(join(tmpdir(), 'certkit-bench-'));
try {
  const store = join(work, 'letsencrypt');
  const made = performance.now();
  await makeCertbotStore(store, COUNT, work);
  process.stderr.write(`bench: made a certbot store of ${COUNT} certificates in ${seconds(performance.now() - made)} s (${store})\n`);

  const certkit = [];
  const certbot = [];
  for (let index = 0; index < RUNS; index += 1) {
    certkit.push(await timeCertkit(store));
    certbot.push(await timeCertbot(image, store));
    process.stderr.write(`bench: run ${index + 1}/${RUNS} done\n`);
  }
  const rows = [
    ['certkit status --store DIR --json (whole node process)', median(certkit.map((r) => r.elapsed))],
    ['certbot certificates (inside the container)', median(certbot.map((r) => r.elapsed))],
    ['certbot certificates (whole docker run, incl. copy)', median(certbot.map((r) => r.whole))],
  ];
  const width = Math.max(...rows.map(([what]) => what.length));
  const lines = [
    `${'what'.padEnd(width)}  runs  median s`,
    ...rows.map(([what, ms]) => `${what.padEnd(width)}  ${String(RUNS).padStart(4)}  ${seconds(ms).padStart(8)}`),
  ];
  lines.push(
    '',
    `ratio certbot/certkit: ${(rows[1][1] / rows[0][1]).toFixed(1)}x (inside the container), ${(rows[2][1] / rows[0][1]).toFixed(1)}x (whole docker run)`,
  );
  lines.push(
    `listed: certkit ${certkit[0].certificates} certificates (${certkit[0].problems} with problems), certbot ${certbot[0].certificates}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  await rm(work, { recursive: true, force: true });
}

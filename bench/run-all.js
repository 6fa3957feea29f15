// `npm run bench`: every figure of issue 11 in ONE table, each beside a baseline measured in the same run and its
// ratio: the CLI (cli-speed.js), the socket proxy's extra hop (docker-proxy-hop.js), renewals under load per nginx
// version and loading mode (renewal-load.js), the idle daemon (idle-daemon.js), sites added and removed
// (sites-load.js), nginx with 1,000 sites (nginx-scale.js), many sites' issuance and sweeps (sites-sweep.js). Each
// part also prints its own table as it ends (progress and part tables on stderr here).
// The environment variables of each part pass through (BENCH_RENEWALS, BENCH_SIZES, BENCH_STACK,
// CERTKIT_BENCH_SITES, ...).
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { cpus, freemem, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printTable, tableLines } from './bench-table.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const PARTS = [
  'cli-speed.js',
  'docker-proxy-hop.js',
  'renewal-load.js',
  'idle-daemon.js',
  'sites-load.js',
  'nginx-scale.js',
  'sites-sweep.js',
];
const results = join(tmpdir(), `certkit-bench-${process.pid}.jsonl`);

function runPart(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(HERE, file)], {
      env: { ...process.env, BENCH_RESULTS: results },
      stdio: ['ignore', process.stderr, process.stderr],
    });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

const failed = [];
for (const part of PARTS) if ((await runPart(part)) !== 0) failed.push(part);
const rows = (await readFile(results, 'utf8').catch(() => ''))
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line));
await rm(results, { force: true });
const mib = (bytes) => Math.round(bytes / 1024 / 1024);
printTable(
  `certkit (issues 11 and 18): every figure beside its baseline (machine: ${cpus().length} cores, ${mib(totalmem())} MiB memory, ${mib(freemem())} MiB free at the end)`,
  tableLines(rows),
);
if (failed.length > 0) {
  process.stderr.write(`bench: these parts failed: ${failed.join(', ')}\n`);
  process.exitCode = 1;
}

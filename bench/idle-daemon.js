// `npm run bench:reload` (second table): the certkit daemon between checks, next to a bare idle node process (the
// baseline): CPU over a fixed window and resident memory, read from /proc. The daemon points at a Compose project
// that does not exist, so it waits for the stack's containers (asking Docker every 2 s, up to three minutes): an
// upper bound for the time between checks, when it only sleeps.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printTable, ratio, recordRow } from './bench-table.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const SETTLE_MS = 5_000;
const WINDOW_MS = 20_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** utime + stime (seconds, 100 ticks a second) and resident memory (MiB) of one process. */
async function sample(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  return { cpu: (Number(fields[11]) + Number(fields[12])) / 100, rssMiB: rssKb / 1024 };
}

async function measure(argv, cwd) {
  const child = spawn(process.execPath, argv, { cwd, stdio: ['ignore', 'ignore', 'ignore'], env: { ...process.env, CI: '' } });
  try {
    await sleep(SETTLE_MS);
    const before = await sample(child.pid);
    await sleep(WINDOW_MS);
    const after = await sample(child.pid);
    return { cpuPercent: ((after.cpu - before.cpu) / (WINDOW_MS / 1000)) * 100, rssMiB: after.rssMiB };
  } finally {
    child.kill('SIGTERM');
  }
}

const work = await mkdtemp(join(tmpdir(), 'certkit-bench-idle-'));
try {
  await writeFile(join(work, '.env'), 'CERTBOT_DOMAIN=idle.certkit.test\nCERTBOT_EMAIL=admin@example.org\nCERTBOT_SERVER=pebble\n');
  process.stderr.write(`bench: idle daemon vs idle node, ${WINDOW_MS / 1000} s each\n`);
  const base = await measure(['-e', 'setInterval(() => {}, 1 << 30)'], work);
  const daemon = await measure([join(REPO, 'bin', 'certkit.js'), '--project-name', `ckidle${process.pid}`, 'daemon'], work);
  const section = 'idle daemon';
  await recordRow({
    section,
    metric: 'CPU while idle',
    value: daemon.cpuPercent,
    unit: '%',
    baselineName: 'idle node',
    baseline: base.cpuPercent,
    target: '0 %',
  });
  await recordRow({
    section,
    metric: 'resident memory',
    value: daemon.rssMiB,
    unit: 'MiB',
    baselineName: 'idle node',
    baseline: base.rssMiB,
    target: '~30 MiB own',
  });
  printTable('Idle daemon (between checks)', [
    ['metric', 'idle node (baseline)', 'certkit daemon', 'ratio'],
    ['CPU while idle', `${base.cpuPercent.toFixed(2)} %`, `${daemon.cpuPercent.toFixed(2)} %`, ratio(daemon.cpuPercent, base.cpuPercent)],
    ['resident memory', `${base.rssMiB.toFixed(1)} MiB`, `${daemon.rssMiB.toFixed(1)} MiB`, ratio(daemon.rssMiB, base.rssMiB)],
  ]);
} finally {
  await rm(work, { recursive: true, force: true });
}

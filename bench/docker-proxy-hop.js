// Part of `npm run bench`: what the socket proxy's extra hop costs (issue 20). One stand-in stack, run with
// compose.docker-socket.yaml so its certkit container has both ways to Docker: the socket itself, and docker-proxy
// (HAProxy with the rendered allowlist) on its internal network. Inside that container, a no-op `certkit update` and
// a `certkit status` are timed both ways, alternating, in the same run. Asserts nothing.
//   BENCH_RUNS=5           runs per figure (the median is shown)
//   BENCH_STACK=legacy     the stand-in stack ('' skips this part; needs Docker)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imagesFor, progress, run, startStack, stopStack } from './bench-stack.js';
import { printTable, ratio, recordRow } from './bench-table.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const STACK = process.env.BENCH_STACK ?? 'legacy';
const WAYS = { proxy: 'tcp://docker-proxy:2375', socket: 'unix:///var/run/docker.sock' };

// Runs in the certkit container: times each command RUNS times per way, the ways alternating; prints the medians (ms).
const TIMER = `
const { spawnSync } = require('node:child_process');
const [runs, ways, commands] = [Number(process.argv[1]), JSON.parse(process.argv[2]), JSON.parse(process.argv[3])];
const times = {};
for (let index = 0; index < runs; index += 1)
  for (const [name, args] of Object.entries(commands))
    for (const [way, host] of Object.entries(ways)) {
      const started = process.hrtime.bigint();
      const result = spawnSync('node', ['/opt/certkit/bin/certkit.js', ...args], { env: { ...process.env, DOCKER_HOST: host }, encoding: 'utf8' });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (result.status !== 0) { console.error(name + ' via ' + way + ' failed: ' + result.stderr); process.exit(1); }
      (times[name + ' ' + way] ??= []).push(ms);
    }
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(JSON.stringify(Object.fromEntries(Object.entries(times).map(([key, values]) => [key, median(values)]))));
`;

async function main() {
  const images = STACK ? imagesFor(STACK) : undefined;
  if (!images) {
    progress(`docker-proxy hop: no ${STACK || 'stand-in'} images (bash test/images/build.sh --stack ${STACK || 'legacy'}); skipped`);
    return;
  }
  const work = await mkdtemp(join(tmpdir(), 'certkit-bench-proxy-'));
  progress(`docker-proxy hop: a stand-in stack (${STACK}) with both ways to Docker`);
  const stack = await startStack(work, images, {
    stack: STACK,
    name: 'proxy',
    kitFiles: ['docker-compose.yaml', 'compose.docker-socket.yaml'],
  });
  try {
    const { stdout: id } = await run('docker', [
      'ps',
      '-q',
      '--filter',
      `label=com.docker.compose.project=${stack.project}`,
      '--filter',
      'label=com.docker.compose.service=certkit',
    ]);
    const container = id.trim().split('\n')[0];
    const inCertkit = (argv) => run('docker', ['exec', '-w', '/project', container, ...argv], { maxBuffer: 16 * 1024 * 1024 });
    let issued = false;
    for (let attempt = 0; attempt < 20 && !issued; attempt += 1) {
      issued = await inCertkit(['node', '/opt/certkit/bin/certkit.js', 'update']).then(
        () => true,
        async () => {
          await new Promise((resolve) => setTimeout(resolve, 3_000));
          return false;
        },
      );
    }
    if (!issued) throw new Error('the first certkit update (issuance) never succeeded');
    progress(`docker-proxy hop: ${RUNS} runs of each command each way`);
    const commands = { 'no-op update': ['update'], status: ['status'] };
    const { stdout } = await inCertkit(['node', '-e', TIMER, String(RUNS), JSON.stringify(WAYS), JSON.stringify(commands)]);
    const medians = JSON.parse(stdout);
    const lines = [['command', 'socket (baseline)', 'through docker-proxy', 'ratio']];
    for (const name of Object.keys(commands)) {
      const [viaProxy, viaSocket] = [medians[`${name} proxy`], medians[`${name} socket`]];
      lines.push([name, `${viaSocket.toFixed(0)} ms`, `${viaProxy.toFixed(0)} ms`, ratio(viaProxy, viaSocket)]);
      await recordRow({
        section: 'docker proxy',
        metric: `${name} (${STACK} stand-ins, in the certkit container)`,
        value: viaProxy,
        unit: 's',
        baselineName: 'the socket itself',
        baseline: viaSocket,
      });
    }
    printTable(`The socket proxy's extra hop (median of ${RUNS}, ${STACK} stand-ins)`, lines);
  } finally {
    await stopStack(stack);
    await rm(work, { recursive: true, force: true });
  }
}

await main();

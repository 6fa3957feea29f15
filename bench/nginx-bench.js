// What the nginx benches share: the stand-in nginx images and their versions, a stand-in nginx started on a kit folder
// (nginx-kit.js) with the kit's entrypoint (published on 127.0.0.1 only), what it serves, nginx's CPU and memory read
// from /proc in its container, and full handshakes against it.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { connect } from 'node:tls';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runHttpsLoad } from './https-load.js';

export const run = promisify(execFile);
export const REPO = fileURLToPath(new URL('..', import.meta.url));
const IMAGES_ENV = join(REPO, 'test', 'images', 'images.env');

export function fail(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(1);
}
export const progress = (message) => process.stderr.write(`bench: ${message}\n`);
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export function requireBuild() {
  if (!existsSync(join(REPO, 'dist', 'render', 'render-project.js'))) fail('dist/ is missing: run `npm run build` first');
}

/** BENCH_NGINX_IMAGES, else every NGINX*_IMAGE of the stand-in images (legacy and current). */
export function nginxImages() {
  if (process.env.BENCH_NGINX_IMAGES) return process.env.BENCH_NGINX_IMAGES.split(',').filter(Boolean);
  if (!existsSync(IMAGES_ENV)) fail(`${IMAGES_ENV} is missing: run \`npm run images\` (needs Docker) to build the stand-in images`);
  const files = [IMAGES_ENV, IMAGES_ENV.replace(/images\.env$/, 'images-current.env')].filter((file) => existsSync(file));
  const images = files.flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/^NGINX\w*_IMAGE=(.+)$/gm)].map((match) => match[1].trim()),
  );
  if (images.length === 0) fail(`${IMAGES_ENV} names no NGINX_IMAGE: run \`npm run images\``);
  return [...new Set(images)];
}

export async function nginxVersion(image) {
  const { stderr } = await run('docker', ['run', '--rm', '--network', 'none', '--entrypoint', 'nginx', image, '-v']);
  return /nginx\/(\d+\.\d+\.\d+)/.exec(stderr)?.[1] ?? 'unknown';
}

export const atLeast = (version, wanted) => {
  const [a, b] = [version, wanted].map((text) => text.split('.').map(Number));
  for (let i = 0; i < 3; i += 1) if (a[i] !== b[i]) return a[i] > b[i];
  return true;
};

/**
 * The stand-in nginx on the kit's folder with the kit's entrypoint (or the kit's own `command`, run by sh), port 443
 * published on 127.0.0.1.
 */
export async function startNginx(image, kit, { label, env = {} }) {
  const { stdout } = await run('docker', [
    'run',
    '-d',
    '--label',
    `certkit-bench=${label}`,
    '-p',
    '127.0.0.1::443',
    ...Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`]),
    '-v',
    `${join(kit.work, 'nginx')}:/etc/certkit/nginx:ro`,
    '-v',
    `${join(kit.work, 'deploy')}:/etc/certkit/deploy:ro`,
    '--entrypoint',
    '/bin/sh',
    image,
    ...(kit.command ?? ['/etc/certkit/nginx/entrypoint.sh', 'run']),
  ]);
  const id = stdout.trim();
  const port = Number(/:(\d+)\s*$/m.exec((await run('docker', ['port', id, '443/tcp'])).stdout)?.[1]);
  return { id, port };
}

/** body(work, started) in a new temp folder; then the containers passed to started() and the folder are removed. */
export async function inWorkFolder(prefix, body) {
  const work = await mkdtemp(join(tmpdir(), prefix));
  const containers = [];
  try {
    return await body(work, (container) => {
      containers.push(container);
      return container;
    });
  } finally {
    for (const container of containers) await removeContainer(container);
    await rm(work, { recursive: true, force: true });
  }
}

export async function removeContainer(container) {
  if (container) await run('docker', ['rm', '-f', container.id]).catch(() => {});
}

export async function containerLogs(container) {
  return run('docker', ['logs', container.id]).then(
    (out) => out.stderr + out.stdout,
    () => '',
  );
}

/** nginx's [warn] and worse lines in the container's log. */
export async function nginxComplaints(container) {
  return (await containerLogs(container)).split('\n').filter((line) => /\[(warn|crit|error|emerg|alert)\]/.test(line));
}

/** The serial nginx presents for this name, or undefined (no handshake). */
export function servedSerial(port, servername) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => {
      const serial = socket.getPeerCertificate()?.serialNumber?.toLowerCase().replace(/^0+/, '');
      socket.destroy();
      resolve(serial);
    });
    socket.setTimeout(2_000, () => socket.destroy());
    socket.on('error', () => resolve(undefined));
    socket.on('close', () => resolve(undefined));
  });
}

/** Milliseconds until nginx presents this serial for the name (Infinity after timeoutMs). */
export async function waitForSerial(port, servername, serial, timeoutMs) {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if ((await servedSerial(port, servername)) === serial) return performance.now() - started;
    await sleep(10);
  }
  return Infinity;
}

/** One line per nginx process in the container: [pid, comm, utime+stime ticks, RSS pages] from /proc. */
async function nginxProcesses(id) {
  const { stdout } = await run('docker', ['exec', id, 'sh', '-c', 'cat /proc/[0-9]*/stat 2>/dev/null']);
  const processes = [];
  for (const line of stdout.split('\n')) {
    const match = /^(\d+) \((nginx)\) (.*)$/.exec(line);
    if (!match) continue;
    const fields = match[3].split(' ');
    processes.push({ pid: Number(match[1]), ticks: Number(fields[11]) + Number(fields[12]), rssPages: Number(fields[21]) });
  }
  return processes;
}

/** CPU seconds used so far by nginx's processes in the container (utime + stime, 100 ticks a second). */
export async function nginxCpuSeconds(id) {
  return (await nginxProcesses(id)).reduce((sum, process) => sum + process.ticks, 0) / 100;
}

/** Resident memory of nginx's master and workers together, in MiB (4 KiB pages). */
export async function nginxRssMiB(id) {
  return ((await nginxProcesses(id)).reduce((sum, process) => sum + process.rssPages, 0) * 4096) / 1024 / 1024;
}

const HANDSHAKE_SECONDS = 4;
const HANDSHAKE_WORKERS = 4;

/** One round of full handshakes (new connections only) with this name for 4 s: their rate and nginx's CPU for each. */
export async function measureHandshakes(container, servername) {
  const cpuBefore = await nginxCpuSeconds(container.id);
  const handshakes = await runHttpsLoad({
    port: container.port,
    servername,
    stop: sleep(HANDSHAKE_SECONDS * 1000),
    workers: { 'keep-alive': 0, http2: 0, 'new-connection': HANDSHAKE_WORKERS },
    maxRequests: 100_000,
    maxMs: HANDSHAKE_SECONDS * 1000 + 1_000,
  });
  const cpu = (await nginxCpuSeconds(container.id)) - cpuBefore;
  return { handshakesPerSecond: handshakes.ok / HANDSHAKE_SECONDS, cpuMsPerHandshake: (cpu * 1000) / Math.max(1, handshakes.ok) };
}

/**
 * Proportional memory of nginx's master and workers (each shared page split between them), in MiB; 0 if unknown.
 * Each process's smaps_rollup is read as its own user: root in the container may not read another user's (the
 * workers') without CAP_SYS_PTRACE, which Docker does not give.
 */
export async function nginxPssMiB(id) {
  const owners =
    'for d in /proc/[0-9]*; do [ "$(cat $d/comm 2>/dev/null)" = nginx ] && echo "${d#/proc/} $(awk \'/^Uid:/ { print $2 }\' $d/status)"; done; true';
  const { stdout } = await run('docker', ['exec', id, 'sh', '-c', owners]).catch(() => ({ stdout: '' }));
  const byUser = new Map();
  for (const [pid, uid] of stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ')))
    byUser.set(uid, [...(byUser.get(uid) ?? []), pid]);
  let kib = 0;
  for (const [uid, pids] of byUser) {
    const read = `cat ${pids.map((pid) => `/proc/${pid}/smaps_rollup`).join(' ')} 2>/dev/null; true`;
    const { stdout: rollups } = await run('docker', ['exec', '-u', uid, id, 'sh', '-c', read]).catch(() => ({ stdout: '' }));
    kib += [...rollups.matchAll(/^Pss:\s+(\d+) kB/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
  }
  return kib / 1024;
}

// The engine side of the swarm test bed (bench/swarm-bed.js): docker without a shell, a bounded poll, joining this
// engine to a swarm only when it is in none and leaving only a swarm it made, and whether the kernel has IPVS.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { release } from 'node:os';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs a command without a shell; rejects with its stderr on a non-zero exit. */
export function docker(args, options = {}) {
  return new Promise((resolve, reject) => {
    execFile(
      'docker',
      args,
      { timeout: options.timeoutMs ?? 120_000, maxBuffer: 16 * 1024 * 1024, env: options.env ?? process.env },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`docker ${args.join(' ')}: ${String(stderr).trim() || error.message}`));
        else resolve(String(stdout));
      },
    );
  });
}

export async function poll(what, timeoutMs, check) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error.message;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? ` (last: ${last})` : ''}`);
    await sleep(1000);
  }
}

/**
 * Joins this engine to a swarm if it is in none. Returns what leaveSwarm must undo: whether it initialised the swarm,
 * and whether the bridge Swarm makes for its tasks (docker_gwbridge) is new.
 */
export async function ensureSwarm() {
  const state = (await docker(['info', '--format', '{{.Swarm.LocalNodeState}}'])).trim();
  if (state === 'active') {
    const manager = (await docker(['info', '--format', '{{.Swarm.ControlAvailable}}'])).trim();
    if (manager !== 'true') throw new Error('this engine is a Swarm worker: run the swarm tests against a manager');
    return { initialised: false, gwbridgeBefore: true };
  }
  if (state !== 'inactive') throw new Error(`this engine's swarm is ${state}: leave or repair it before the swarm tests`);
  const gwbridgeBefore = (await docker(['network', 'ls', '-q', '--filter', 'name=^docker_gwbridge$'])).trim() !== '';
  // Swarm's control port on loopback only: nothing joins this swarm from elsewhere. An engine that refuses to advertise
  // a loopback address picks its own (the listener stays on loopback).
  await docker(['swarm', 'init', '--advertise-addr', '127.0.0.1', '--listen-addr', '127.0.0.1:2377']).catch(() =>
    docker(['swarm', 'init', '--listen-addr', '127.0.0.1:2377']),
  );
  return { initialised: true, gwbridgeBefore };
}

/** Leaves the swarm only if ensureSwarm made it, and removes the bridge it brought. */
export async function leaveSwarm(swarm) {
  if (!swarm?.initialised) return;
  await docker(['swarm', 'leave', '--force']);
  if (!swarm.gwbridgeBefore) await docker(['network', 'rm', 'docker_gwbridge']).catch(() => undefined);
}

/** Swarm's virtual IPs and routing mesh need the kernel's IPVS. */
export function hasIpvs() {
  if (existsSync('/proc/net/ip_vs')) return true;
  const modules = `/lib/modules/${release()}/kernel/net/netfilter/ipvs`;
  return existsSync(modules) && readdirSync(modules).some((file) => file.startsWith('ip_vs.ko'));
}

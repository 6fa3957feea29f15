import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { docker, serviceContainer, type SwarmBed } from '../../../bench/swarm-bed.js';
import { runCommand } from './docker-cli.js';

/** The certkit daemon service's log (it logs to stderr, which `docker service logs` passes on as its own stderr). */
export async function daemonLogs(bed: SwarmBed): Promise<string> {
  const result = await runCommand('docker', ['service', 'logs', '--raw', `${bed.name}_certkit`]);
  return result.stdout + result.stderr;
}

/** GET on the daemon's monitor port, from inside its container (the port is on the stack's network only). */
export async function daemonGet(bed: SwarmBed, path: string): Promise<{ status: number; text: string }> {
  const script = `fetch('http://127.0.0.1:9464${path}').then(async (r) => process.stdout.write(r.status + '\\n' + (await r.text())))`;
  const out = await docker(['exec', await serviceContainer(`${bed.name}_certkit`), 'node', '-e', script], { timeoutMs: 60_000 });
  const [status, ...text] = out.split('\n');
  return { status: Number(status), text: text.join('\n') };
}

/** The Docker health of a container (healthy, unhealthy, starting), or `gone` once Swarm removed it. */
export async function containerHealth(container: string): Promise<string> {
  const result = await runCommand('docker', ['inspect', '--format', '{{if .State.Health}}{{.State.Health.Status}}{{end}}', container]);
  return result.stdout.trim() || 'gone';
}

/** Adds a service to the bed's stack file and deploys it again, as a user editing compose.swarm.yaml would. */
export async function addStackService(bed: SwarmBed, name: string, service: Record<string, unknown>): Promise<void> {
  const stackFile = join(bed.dir as string, 'stack.yaml');
  const stack = parse(await readFile(stackFile, 'utf8')) as { services: Record<string, Record<string, unknown>> };
  // The bed's endpoint mode for every service (DNS round robin where the kernel has no IPVS).
  stack.services[name] = { ...service, deploy: { ...(service['deploy'] as object), endpoint_mode: bed.endpointMode } };
  await writeFile(stackFile, stringify(stack));
  await bed.redeploy();
}

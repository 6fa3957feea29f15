import type { Engine, ServiceContainer } from '../docker/engine.js';
import { CertkitError } from '../errors.js';
import type { Logger } from '../log.js';
import { NginxContainer } from '../nginx/nginx-container.js';
import { chooseProbeTarget, type ProbeTarget } from '../nginx/probe-target.js';
import { probeTls } from '../nginx/tls-probe.js';
import type { Stack } from '../stack/find-stack.js';
import { waitFor, type Sleep } from '../wait-for.js';

export interface ServedName {
  name: string;
  serial: string | undefined;
}

/**
 * Makes nginx serve the certificate with this serial for every name: when any name shows another one (or none),
 * switch to the HTTPS site, check the configuration, reload gracefully and wait until every name shows it.
 */
export async function ensureServed(input: {
  engine: Engine;
  stack: Stack;
  self: ServiceContainer | undefined;
  log: Logger;
  now: () => Date;
  sleep: Sleep;
  /** Asks nginx which certificate it presents (a TLS handshake); tests pass a fake. */
  probe?: Probe;
  names: readonly string[];
  serial: string;
  forceReload: boolean;
}): Promise<{ served: ServedName[]; reloaded: boolean }> {
  const target = chooseProbeTarget(input.stack.nginx, input.self);
  if (!target) {
    throw new CertkitError('NGINX_NOT_SERVING', `cannot reach nginx's HTTPS port to verify it: publish port 443 of the nginx service (NGINX_HTTPS_PORT).`);
  }
  const probe = input.probe ?? probeTls;
  const current = await probeAll(probe, target, input.names);
  if (!input.forceReload && current.every((entry) => entry.serial === input.serial)) return { served: current, reloaded: false };

  const nginx = new NginxContainer(input.engine, input.stack.nginx);
  await nginx.selectSite('https');
  await nginx.reload();
  input.log.info(`nginx reloaded; waiting until it serves serial ${input.serial}`);
  const served = await waitFor(
    async () => {
      const probed = await probeAll(probe, target, input.names);
      return { done: probed.every((entry) => entry.serial === input.serial), value: probed };
    },
    {
      timeoutMs: 30_000,
      intervalMs: 250,
      now: input.now,
      sleep: input.sleep,
      what: `nginx serving serial ${input.serial} for ${input.names.join(', ')}`,
      describe: (probed) => probed.map((entry) => `${entry.name}=${entry.serial ?? 'none'}`).join(' '),
    },
  );
  return { served, reloaded: true };
}

export type Probe = (target: ProbeTarget & { servername: string; timeoutMs?: number }) => Promise<{ serial: string }>;

async function probeAll(probe: Probe, target: ProbeTarget, names: readonly string[]): Promise<ServedName[]> {
  return Promise.all(
    names.map(async (name) => ({
      name,
      serial: await probe({ ...target, servername: name, timeoutMs: 3_000 }).then((info) => info.serial, () => undefined),
    })),
  );
}

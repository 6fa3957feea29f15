import type { Engine, ServiceContainer } from '../docker/engine.js';
import { CertkitError } from '../errors.js';
import type { Logger } from '../log.js';
import { decideCertificatePickup } from '../nginx/certificate-pickup.js';
import { NginxContainer } from '../nginx/nginx-container.js';
import { reloadOwnNginx, switchOwnNginxToHttps } from '../nginx/own-nginx.js';
import { chooseProbeTarget, type ProbeTarget } from '../nginx/probe-target.js';
import { probeTls } from '../nginx/tls-probe.js';
import type { Stack } from '../stack/find-stack.js';
import { waitFor, type Sleep } from '../wait-for.js';

/** How long after a reload a handshake may still reach an old worker (seen here: up to about 100 ms on nginx 1.22). */
const RELOAD_DRAIN_MS = 500;

export interface ServedName {
  name: string;
  serial: string | undefined;
}

/**
 * Makes nginx serve the certificate with this serial for every name. When nginx reads the certificate at TLS
 * handshakes, a renewal needs no reload: wait until every name shows it. Otherwise (a configuration change, the first
 * switch to HTTPS, an nginx without that), switch to the HTTPS site, check it, reload gracefully and wait.
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
  /**
   * Set for the app's own nginx with certkit's includes (CERTKIT_NGINX_MODE=own): it loads the certificate at reloads.
   * Required, so that every caller says which nginx it serves through (`ownNginxOf(config)`).
   */
  ownNginx: { certName: string } | undefined;
}): Promise<{ served: ServedName[]; reloaded: boolean }> {
  const target = chooseProbeTarget(input.stack.nginx, input.self);
  if (!target) {
    throw new CertkitError(
      'NGINX_NOT_SERVING',
      `cannot reach nginx's HTTPS port to verify it: publish port 443 of the nginx service (NGINX_HTTPS_PORT).`,
    );
  }
  const probe = input.probe ?? probeTls;
  const current = await probeAll(probe, target, input.names);
  if (!input.forceReload && current.every((entry) => entry.serial === input.serial)) return { served: current, reloaded: false };

  const nginx = new NginxContainer(input.engine, input.stack.nginx);
  const loading = input.forceReload ? undefined : input.ownNginx ? 'reload' : await nginx.certificateLoading();
  if (
    decideCertificatePickup({
      served: current.map((entry) => entry.serial),
      serial: input.serial,
      configChanged: input.forceReload,
      loading,
    }) === 'await'
  ) {
    const served = await awaitSerial(input, probe, target, 5_000).catch(() => undefined);
    if (served) return { served, reloaded: false };
    input.log.info(`nginx still serves the previous certificate 5 s after the deploy; reloading it`);
  }
  if (input.ownNginx) {
    await switchOwnNginxToHttps(input.engine, input.stack, input.ownNginx.certName);
    await reloadOwnNginx(input.engine, input.stack.nginx);
  } else {
    await nginx.selectSite('https');
    await nginx.reload();
  }
  input.log.info(`nginx reloaded; waiting until it serves serial ${input.serial}`);
  await awaitSerial(input, probe, target, 30_000);
  // For a moment after a reload, old workers still take new connections as they drain: look again once they are gone.
  await input.sleep(RELOAD_DRAIN_MS);
  return { served: await awaitSerial(input, probe, target, 30_000), reloaded: true };
}

function awaitSerial(
  input: { now: () => Date; sleep: Sleep; names: readonly string[]; serial: string },
  probe: Probe,
  target: ProbeTarget,
  timeoutMs: number,
): Promise<ServedName[]> {
  return waitFor(
    async () => {
      const probed = await probeAll(probe, target, input.names);
      return { done: probed.every((entry) => entry.serial === input.serial), value: probed };
    },
    {
      timeoutMs,
      intervalMs: 100,
      now: input.now,
      sleep: input.sleep,
      what: `nginx serving serial ${input.serial} for ${input.names.join(', ')}`,
      describe: (probed) => probed.map((entry) => `${entry.name}=${entry.serial ?? 'none'}`).join(' '),
    },
  );
}

export type Probe = (target: ProbeTarget & { servername: string; timeoutMs?: number }) => Promise<{ serial: string }>;

async function probeAll(probe: Probe, target: ProbeTarget, names: readonly string[]): Promise<ServedName[]> {
  return Promise.all(
    names.map(async (name) => ({
      name,
      serial: await probe({ ...target, servername: name, timeoutMs: 3_000 }).then(
        (info) => info.serial,
        () => undefined,
      ),
    })),
  );
}

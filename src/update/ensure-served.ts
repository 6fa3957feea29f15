import type { Engine, ServiceContainer } from '../docker/engine.js';
import { CertkitError } from '../errors.js';
import type { Logger } from '../log.js';
import { decideCertificatePickup } from '../nginx/certificate-pickup.js';
import { NginxContainer } from '../nginx/nginx-container.js';
import { reloadOwnNginx, switchOwnNginxToHttps } from '../nginx/own-nginx.js';
import { chooseProbeTarget, type ProbeTarget } from '../nginx/probe-target.js';
import { probeServedConfig, type ServedConfig } from '../nginx/served-config.js';
import { probeTls, sniFor } from '../nginx/tls-probe.js';
import type { Stack } from '../stack/find-stack.js';
import { waitFor, type Sleep } from '../wait-for.js';

/** After a reload, old workers take connections for about 100 ms more (seen on nginx 1.22 and 1.30): wait, look again. */
export const OLD_WORKERS_MS = 200;

export interface ServedName {
  name: string;
  serial: string | undefined;
}

/**
 * Makes nginx run the rendered configuration and serve the certificate with this serial for every name. What nginx
 * runs is asked of nginx (the stamp it serves), never remembered: a rendering made by certkit-init, or one nginx
 * refused before and fixed since, differs from it as much as one made by this run. When nginx reads the certificate
 * at TLS handshakes, a renewal needs no reload: wait until every name shows it. Otherwise (a configuration nginx does
 * not run yet, the first switch to HTTPS, an nginx without that), switch to the HTTPS site, check it (nginx -t),
 * reload gracefully and wait until nginx serves both the rendered stamp and the serial, or fail saying which differs.
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
  /** The stamp of the rendered nginx files (RenderChanges.configStamp): what nginx must run. */
  configStamp: string;
  /** Asks nginx which rendering it runs (HTTP on port 80); tests pass a fake. */
  configProbe?: ConfigProbe;
  /** Reload even when nginx runs the rendered files and serves the serial (another site's link just changed). */
  forceReload?: boolean;
  /** How nginx/entrypoint.sh selects the .env site at a reload: https (its own run), auto (another site's run). */
  siteMode?: 'https' | 'auto';
  /**
   * The run reloads nginx once at its end for a configuration nginx does not run yet (reloadForConfig): here, reload
   * only for this site's certificate or link. Every site's change changes the stamp of every file, so without this
   * each site's run would reload nginx again for the same change.
   */
  deferConfigReload?: boolean;
  /**
   * Set for the app's own nginx with certkit's includes (CERTKIT_NGINX_MODE=own): it loads the certificate at reloads.
   * Required, so that every caller says which nginx it serves through (`ownNginxOf(config)`).
   */
  ownNginx: { certName: string } | undefined;
  /**
   * What nginx served for these names and which rendering it ran, asked a moment ago (a sweep asks for the next sites
   * while one runs, and forgets the answers at a reload); used for the first look only, never after a reload.
   */
  initial?: InitialLook | undefined;
}): Promise<{ served: ServedName[]; reloaded: boolean }> {
  const target = chooseProbeTarget(input.stack.nginx, input.self);
  if (!target) {
    throw new CertkitError(
      'NGINX_NOT_SERVING',
      `cannot reach nginx's HTTPS port to verify it: publish port 443 of the nginx service (NGINX_HTTPS_PORT).`,
    );
  }
  const probe = input.probe ?? probeTls;
  const readConfig = servedConfigReader(input);
  const [current, running] = await Promise.all(
    input.initial ? [input.initial.served, input.initial.running] : [probeAll(probe, target, input.names), readConfig()],
  );
  const differs = running.stamp !== input.configStamp;
  const stale = differs || input.forceReload === true;
  const servesSerial = current.every((entry) => entry.serial === input.serial);
  if (servesSerial && (!stale || (input.deferConfigReload === true && input.forceReload !== true)))
    return { served: current, reloaded: false };
  if (differs)
    input.log.info(`nginx runs ${describeServed(running)}, not the rendered ${input.configStamp}: reloading it (nginx -t first)`);

  const nginx = new NginxContainer(input.engine, input.stack.nginx);
  const loading = stale ? undefined : input.ownNginx ? 'reload' : await nginx.certificateLoading();
  if (
    decideCertificatePickup({
      served: current.map((entry) => entry.serial),
      serial: input.serial,
      configChanged: stale,
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
    await nginx.selectSite(input.siteMode ?? 'https');
    await nginx.reload();
  }
  input.log.info(`nginx reloaded; waiting until it serves serial ${input.serial}`);
  await awaitSerial(input, probe, target, 30_000);
  // For a moment after a reload, old workers still take new connections as they drain: look again once they are gone.
  await input.sleep(OLD_WORKERS_MS);
  const served = await awaitSerial(input, probe, target, 30_000);
  await awaitConfig(input, readConfig);
  return { served, reloaded: true };
}

/**
 * The run's one reload for a configuration change alone (a site added, removed or re-routed, whose own run needed
 * none): when nginx does not run the rendered stamp, link the sites, check (nginx -t), reload, and wait until it runs
 * it. Returns whether it reloaded.
 */
export async function reloadForConfig(
  input: ConfigTarget & {
    engine: Engine;
    log: Logger;
    /** This run's render changed nginx's files: nginx cannot run them yet, no need to ask. */
    changed: boolean;
    /** Wait until nginx runs the rendered stamp (not when the run already failed: its error is the one to report). */
    verify: boolean;
  },
): Promise<boolean> {
  const readConfig = servedConfigReader(input);
  if (!input.changed) {
    const running = await readConfig();
    if (running.stamp === input.configStamp) return false;
    input.log.info(`nginx runs ${describeServed(running)}, not the rendered ${input.configStamp}: reloading it (nginx -t first)`);
  }
  const nginx = new NginxContainer(input.engine, input.stack.nginx);
  await nginx.selectSite('auto');
  await nginx.reload();
  if (input.verify) await awaitConfig(input, readConfig);
  return true;
}

/** What the stamp is read from: nginx's HTTP port, in the server block of the first name. */
type ConfigTarget = {
  stack: Stack;
  self: ServiceContainer | undefined;
  names: readonly string[];
  configStamp: string;
  configProbe?: ConfigProbe;
  now: () => Date;
  sleep: Sleep;
};

/** The first look ensureServed takes: the serial each name shows, and the stamp nginx runs. */
export interface InitialLook {
  served: Promise<ServedName[]>;
  running: Promise<ServedConfig>;
}

/** Takes ensureServed's first look for these names now, to be handed to it later (`initial`). */
export function lookAhead(
  input: Pick<Parameters<typeof ensureServed>[0], 'stack' | 'self' | 'probe' | 'configProbe' | 'names'>,
): InitialLook | undefined {
  const target = chooseProbeTarget(input.stack.nginx, input.self);
  if (!target) return undefined;
  const look = { served: probeAll(input.probe ?? probeTls, target, input.names), running: servedConfigReader(input)() };
  look.served.catch(() => undefined);
  look.running.catch(() => undefined);
  return look;
}

export type ConfigProbe = (target: ProbeTarget & { hostHeader: string; timeoutMs?: number }) => Promise<ServedConfig>;

/** Reads the stamp nginx serves, on its HTTP port, for the server block of the first name. */
export function servedConfigReader(input: Pick<ConfigTarget, 'stack' | 'self' | 'configProbe' | 'names'>): () => Promise<ServedConfig> {
  const target = chooseProbeTarget(input.stack.nginx, input.self, 80);
  const probe = input.configProbe ?? probeServedConfig;
  const hostHeader = sniFor(input.names[0] ?? 'localhost');
  return async () =>
    target
      ? probe({ ...target, hostHeader, timeoutMs: 3_000 })
      : { stamp: undefined, why: "nginx's HTTP port cannot be reached: publish port 80 of the nginx service (NGINX_HTTP_PORT)" };
}

/** Waits until nginx serves the rendered stamp; a reload nginx's master did not take is reported, not passed over. */
export async function awaitConfig(
  input: { now: () => Date; sleep: Sleep; configStamp: string },
  readConfig: () => Promise<ServedConfig>,
): Promise<void> {
  try {
    await waitFor(
      async () => {
        const running = await readConfig();
        return { done: running.stamp === input.configStamp, value: running };
      },
      {
        timeoutMs: 30_000,
        // A look is one HTTP request to nginx on this machine: asked often, the run ends soon after nginx has it.
        intervalMs: 50,
        now: input.now,
        sleep: input.sleep,
        what: `nginx running ${input.configStamp}`,
        describe: describeServed,
      },
    );
  } catch (error) {
    throw new CertkitError(
      'NGINX_NOT_SERVING',
      `nginx was reloaded but does not run the rendered configuration (${input.configStamp}): ${(error as Error).message}. ` +
        "See `docker compose logs nginx` for why it kept the old one. nginx shows the stamp from certkit's site files, or in an " +
        "app's own nginx from certkit-acme.conf, included in the server on port 80.",
      { cause: error },
    );
  }
}

function describeServed(running: ServedConfig): string {
  return running.stamp ?? `no known configuration (${running.why})`;
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

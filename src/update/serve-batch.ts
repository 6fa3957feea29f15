import { CertkitError } from '../errors.js';
import type { NginxContainer } from '../nginx/nginx-container.js';
import type { CertificateLoading } from '../nginx/certificate-pickup.js';
import { chooseProbeTarget, type ProbeTarget } from '../nginx/probe-target.js';
import { probeTls } from '../nginx/tls-probe.js';
import type { Stack } from '../stack/find-stack.js';
import { awaitConfig, OLD_WORKERS_MS, servedConfigReader, type Probe, type ServedName } from './ensure-served.js';
import { linkBatch, renewedInPlace, selectHttps, type Linked } from './batch-links.js';
import { namesOf, planServing, servesSite, type PendingSite } from './serve-plan.js';
import type { UpdateContext } from './update-context.js';

/** Handshakes in flight at once when a sweep asks nginx for many names. */
const PROBES_AT_ONCE = 16;
/**
 * Between two looks at the names not served yet: a reload's new workers start within tens of milliseconds, and a look
 * is a handshake per name still missing (a few milliseconds on this machine), so a short pause wastes less of the wait.
 */
const POLL_MS = 25;

export type BatchOutcome = { ok: true; served: ServedName[]; reloaded: boolean } | { ok: false; error: unknown };

/**
 * Serves every site a sweep worked on in one pass over nginx, instead of one per site: link the sites once (one
 * `nginx -t`), probe every name, then at most one reload for all the sites that need one, one wait that polls until
 * each name shows its serial, and one look at the rendering nginx runs. A site nginx does not serve after that fails
 * alone; one that needs no reload (nginx reads certificates at handshakes) is served whatever becomes of the others.
 */
export async function serveBatch(input: {
  ctx: UpdateContext;
  stack: Stack;
  nginx: NginxContainer;
  sites: readonly PendingSite[];
  configStamp: string;
  /** Link the sites first (a certificate was issued or deployed in this sweep). */
  link: boolean;
  /** Asked anew after the reload: whether nginx runs this rendering and reads certificates at handshakes. */
  servedAsDeployed: () => Promise<boolean>;
}): Promise<Map<string, BatchOutcome>> {
  const { ctx, nginx } = input;
  const outcomes = new Map<string, BatchOutcome>();
  if (input.sites.length === 0) return outcomes;
  const target = chooseProbeTarget(input.stack.nginx, ctx.self);
  if (!target) {
    const error = new CertkitError(
      'NGINX_NOT_SERVING',
      `cannot reach nginx's HTTPS port to verify it: publish port 443 of the nginx service (NGINX_HTTPS_PORT).`,
    );
    for (const site of input.sites) outcomes.set(site.id, { ok: false, error });
    return outcomes;
  }
  const probe = ctx.probe ?? probeTls;
  // What nginx serves now, asked before any link is made: a link on disk changes nothing nginx serves until a reload.
  // A site whose link alone changed (nothing of it changed in this run) needs the reload; no handshake before it.
  const served = await probeNames(probe, target, namesOf(input.sites.filter((site) => site.changed)));
  let loadingRead: Promise<CertificateLoading | undefined> | undefined;
  const loadingFor = async (sites: readonly PendingSite[]) =>
    renewedInPlace(sites, served) ? await (loadingRead ??= nginx.certificateLoading()) : undefined;
  const linked: Linked = input.link ? await linkBatch(nginx, input.sites, served, loadingFor) : { relinked: new Set<string>() };
  const { relinked } = linked;
  const sites = input.sites.map((site) => ({ ...site, relinked: site.relinked || relinked.has(site.id) }));
  const loading = await loadingFor(sites);
  const plan = planServing({ sites, served, loading });
  const byId = new Map(sites.map((site) => [site.id, site]));
  const pick = (ids: readonly string[]) => ids.flatMap((id) => byId.get(id) ?? []);
  const servedFor = (site: PendingSite, seen: ReadonlyMap<string, string | undefined>): ServedName[] =>
    site.names.map((name) => ({ name, serial: seen.get(name) }));

  for (const site of pick(plan.done)) outcomes.set(site.id, { ok: true, served: servedFor(site, served), reloaded: false });
  const toReload = pick(plan.reloaded);
  if (plan.awaited.length > 0) {
    const awaited = pick(plan.awaited);
    const seen = await pollServed(ctx, probe, target, awaited, 5_000);
    for (const site of awaited) {
      if (servesSite(site, seen)) outcomes.set(site.id, { ok: true, served: servedFor(site, seen), reloaded: false });
      else {
        ctx.log.info(`site ${site.id}: nginx still serves the previous certificate 5 s after the deploy; reloading it`);
        toReload.push(site);
      }
    }
  }
  if (toReload.length === 0) return outcomes;
  const failAll = (error: unknown) => {
    for (const site of toReload) outcomes.set(site.id, { ok: false, error });
    return outcomes;
  };
  if (linked.error !== undefined) return failAll(linked.error);
  // The .env site's HTTPS file was selected with the links (or refused then); else it is selected now.
  const refused = linked.selected
    ? new Map<string, unknown>()
    : linked.refused
      ? new Map([...linked.refused].filter(([id]) => toReload.some((site) => site.id === id)))
      : await selectHttps(nginx, toReload);
  for (const [id, error] of refused) {
    outcomes.set(id, { ok: false, error });
    toReload.splice(
      toReload.findIndex((site) => site.id === id),
      1,
    );
  }
  if (toReload.length === 0) return outcomes;
  try {
    // The links just made (or the HTTPS site selected, with them) were checked (`nginx -t`) over everything rendered:
    // the reload needs no second check.
    if (relinked.size === 0 && !toReload.some((site) => site.selects)) await nginx.selectSite('auto');
    await nginx.reload();
  } catch (error) {
    return failAll(error);
  }
  ctx.log.info(`nginx reloaded for ${toReload.map((site) => site.id).join(', ')}; waiting until it serves their certificates`);
  const verified = toReload.filter((site) => site.changed);
  const quiet = toReload.filter((site) => !site.changed);
  // Which rendering nginx runs is asked from the reload on, beside the wait for the serials: only the new workers
  // show the new stamp, so seeing it once is enough, whenever the old workers stop taking connections.
  const configAwaited = awaitConfig(
    { ...ctx, configStamp: input.configStamp },
    servedConfigReader({ ...ctx, stack: input.stack, names: toReload[0]?.names ?? [] }),
  ).then(
    () => undefined,
    (error: unknown) => error,
  );
  const first = await pollServed(ctx, probe, target, verified, 30_000);
  await ctx.sleep(OLD_WORKERS_MS);
  const [second, config] = await Promise.all([
    pollServed(
      ctx,
      probe,
      target,
      verified.filter((site) => servesSite(site, first)),
      30_000,
    ),
    configAwaited,
  ]);
  if (config !== undefined) return failAll(config);
  // The sites whose link alone changed: served as deployed when nginx runs this rendering and reads certificates at
  // handshakes (as a sweep takes every site it changed nothing of), else each name is asked.
  const asDeployed = quiet.length > 0 && (await input.servedAsDeployed());
  const quietSeen = asDeployed ? undefined : await pollServed(ctx, probe, target, quiet, 30_000);
  for (const site of quiet) {
    const seen = quietSeen ?? new Map(site.names.map((name) => [name, site.serial]));
    outcomes.set(site.id, result(site, seen));
  }
  for (const site of verified) outcomes.set(site.id, result(site, servesSite(site, first) ? second : first));
  return outcomes;
}

function result(site: PendingSite, seen: ReadonlyMap<string, string | undefined>): BatchOutcome {
  const served = site.names.map((name) => ({ name, serial: seen.get(name) }));
  if (servesSite(site, seen)) return { ok: true, served, reloaded: true };
  return {
    ok: false,
    error: new CertkitError(
      'TIMEOUT',
      `nginx was reloaded but does not serve serial ${site.serial} for ${site.names.join(', ')}; last seen: ${served
        .map((entry) => `${entry.name}=${entry.serial ?? 'none'}`)
        .join(' ')}. See \`docker compose logs nginx\`.`,
    ),
  };
}

/**
 * Probes the sites' names until each shows its site's serial or `timeoutMs` passes, asking again only the names not
 * there yet; returns the serial each name showed last.
 */
async function pollServed(
  ctx: Pick<UpdateContext, 'now' | 'sleep'>,
  probe: Probe,
  target: ProbeTarget,
  sites: readonly PendingSite[],
  timeoutMs: number,
): Promise<Map<string, string | undefined>> {
  const seen = new Map<string, string | undefined>();
  const want = new Map(sites.flatMap((site) => site.names.map((name) => [name, site.serial] as const)));
  const deadline = ctx.now().getTime() + timeoutMs;
  for (;;) {
    const missing = [...want.keys()].filter((name) => seen.get(name) !== want.get(name));
    if (missing.length === 0) return seen;
    for (const [name, serial] of await probeNames(probe, target, missing)) seen.set(name, serial);
    if (sites.every((site) => servesSite(site, seen)) || ctx.now().getTime() >= deadline) return seen;
    await ctx.sleep(POLL_MS);
  }
}

/** The serial each name shows, a few handshakes at a time (undefined: no HTTPS answer). */
async function probeNames(probe: Probe, target: ProbeTarget, names: readonly string[]): Promise<Map<string, string | undefined>> {
  const seen = new Map<string, string | undefined>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < names.length) {
      const name = names[next++] as string;
      seen.set(
        name,
        await probe({ ...target, servername: name, timeoutMs: 3_000 }).then(
          (info) => info.serial,
          () => undefined,
        ),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(PROBES_AT_ONCE, names.length) }, worker));
  return seen;
}

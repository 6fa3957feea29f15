import { pack } from 'tar-stream';
import { cachedWindow, entryFor, parseAriCache, pruneAriCache, type AriCache } from '../certbot/ari-cache.js';
import type { CertbotContainer } from '../certbot/certbot-container.js';
import type { ExistingCertificate } from '../certbot/plan-certbot-run.js';
import { readRenewalWindows } from '../certbot/read-renewal-window.js';
import type { RenewalWindow } from '../certbot/renewal-window.js';
import { lineageInSnapshot } from '../certbot/store-lineage.js';
import type { Engine } from '../docker/engine.js';
import type { Logger } from '../log.js';
import { ARI_CACHE_DIR, ARI_CACHE_NAME, CONTAINER_PATHS } from '../stack/layout.js';
import { readTarSnapshot } from '../store/read-tar-snapshot.js';
import type { StoreSnapshot } from '../store/snapshot.js';

/** What a sweep knows of the store before any site runs: read once, whatever the number of sites. */
export interface SweepStore {
  /** The site's lineage before its run (a site's own run reads it again after certbot). */
  lineage(certName: string): Promise<ExistingCertificate | undefined>;
  /** The CA's renewal window for the site's certificate, from the cache or this sweep's one batch of requests. */
  window(certName: string): RenewalWindow | undefined;
}

/**
 * Reads the store once for a sweep (one archive of /etc/letsencrypt), and the CA's renewal windows the sweep needs:
 * those still within their Retry-After come from the cache, the others are asked for in one run in the certbot
 * container. Without a snapshot (the archive could not be read), each lineage is read in the container as before.
 */
export async function readSweepStore(input: {
  engine: Engine;
  certbot: CertbotContainer;
  log: Logger;
  now: () => Date;
  /** The certificates this sweep works on, with the CA each is configured for. */
  sites: readonly { certName: string; serverUrl: string }[];
  /** A dry run asks the CA nothing beyond certbot's own dry run (as before). */
  dryRun: boolean;
}): Promise<SweepStore> {
  const { engine, certbot, log } = input;
  const [snapshot, cacheText] = await Promise.all([
    readStoreSnapshot(engine, certbot.containerId).catch((error: unknown) => {
      log.debug(`could not read the store in one piece (${(error as Error).message}); reading each lineage in the container`);
      return undefined;
    }),
    certbot.readFile(`${ARI_CACHE_DIR}/${ARI_CACHE_NAME}`).catch(() => undefined),
  ]);
  const lineages = new Map<string, ExistingCertificate | undefined>();
  for (const { certName } of input.sites) {
    const found = snapshot ? lineageInSnapshot(snapshot, certName, () => certbot.warnUnreadable(certName)) : { kind: 'unknown' as const };
    if (found.kind === 'found') lineages.set(certName, found.lineage);
    else if (found.kind === 'missing') lineages.set(certName, undefined);
    // A lineage that cannot be read here is read again in its site's own run, where a failure is that site's alone.
    else
      await certbot.readLineage(certName).then(
        (lineage) => lineages.set(certName, lineage),
        () => undefined,
      );
  }

  const windows = new Map<string, RenewalWindow | undefined>();
  if (!input.dryRun) {
    const cache = parseAriCache(cacheText);
    const now = input.now();
    const wanted: { certName: string; serial: string; directoryUrl: string }[] = [];
    for (const { certName, serverUrl } of input.sites) {
      const lineage = lineages.get(certName);
      if (!lineage) continue;
      const asked = { certName, serial: lineage.serial, directoryUrl: lineage.renewal?.server ?? serverUrl };
      const cached = cachedWindow(cache, certName, asked, now);
      if (cached.fresh) windows.set(certName, cached.window);
      else wanted.push(asked);
    }
    const fetched = await readRenewalWindows(certbot, wanted, log, input.now);
    for (const asked of wanted) {
      const answer = fetched.get(asked.certName);
      if (!answer) continue;
      windows.set(asked.certName, answer.window);
      cache[asked.certName] = entryFor(answer, asked, input.now());
    }
    // Only the certificates in the store keep an entry; a sweep that asked nothing leaves the file as it is.
    if (wanted.length > 0) {
      const kept = snapshot ? pruneAriCache(cache, liveNames(snapshot)) : cache;
      await writeCache(engine, certbot.containerId, kept).catch((error: unknown) =>
        log.debug(`could not keep the CA's renewal windows for the next check: ${(error as Error).message}`),
      );
    }
  }

  return {
    lineage: async (certName) => (lineages.has(certName) ? lineages.get(certName) : certbot.readLineage(certName)),
    window: (certName) => windows.get(certName),
  };
}

async function readStoreSnapshot(engine: Engine, certbotId: string): Promise<StoreSnapshot> {
  return readTarSnapshot(await engine.getArchive(certbotId, CONTAINER_PATHS.letsencrypt));
}

/** The certificate names with a live/ folder. */
function liveNames(snapshot: StoreSnapshot): Set<string> {
  const names = new Set<string>();
  for (const path of snapshot.keys()) {
    const match = /^live\/([^/]+)\//.exec(path);
    if (match?.[1]) names.add(match[1]);
  }
  return names;
}

/** One file through the archive API: a cache of a thousand certificates is past what one exec argument may hold. */
async function writeCache(engine: Engine, certbotId: string, cache: AriCache): Promise<void> {
  const tar = pack();
  tar.entry({ name: ARI_CACHE_NAME, mode: 0o600, mtime: new Date() }, `${JSON.stringify(cache)}\n`);
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of tar) chunks.push(chunk as Buffer);
  await engine.putArchive(certbotId, ARI_CACHE_DIR, Buffer.concat(chunks));
}

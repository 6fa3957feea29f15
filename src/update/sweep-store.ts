import { pack } from 'tar-stream';
import { cachedWindow, entryFor, parseAriCache, pruneAriCache, type AriCache } from '../certbot/ari-cache.js';
import type { CertbotContainer } from '../certbot/certbot-container.js';
import type { ExistingCertificate } from '../certbot/plan-certbot-run.js';
import { readRenewalWindows } from '../certbot/read-renewal-window.js';
import type { RenewalWindow } from '../certbot/renewal-window.js';
import { lineageFromFiles } from '../certbot/store-lineage.js';
import type { Engine } from '../docker/engine.js';
import type { DeployedSerials } from '../store/deployed-copies.js';
import type { Logger } from '../log.js';
import { ARI_CACHE_DIR, ARI_CACHE_NAME, CONTAINER_PATHS } from '../stack/layout.js';
import { parseSweepFacts, SWEEP_FACTS_SCRIPT, type SweepFacts } from '../store/sweep-facts.js';

/** What a sweep knows of the store before any site runs: read once, whatever the number of sites. */
export interface SweepStore {
  /** The site's lineage before its run (a site's own run reads it again after certbot). */
  lineage(certName: string): Promise<ExistingCertificate | undefined>;
  /** The CA's renewal window for the site's certificate, from the cache or this sweep's one batch of requests. */
  window(certName: string): RenewalWindow | undefined;
}

/**
 * What the sweep reads of the certbot container, in one Python run there (see sweep-facts.ts): started by the caller
 * as early as it can, so it runs while the sites are read and rendered.
 */
export function readSweepFacts(certbot: CertbotContainer): Promise<SweepFacts> {
  return certbot
    .python(SWEEP_FACTS_SCRIPT, [CONTAINER_PATHS.letsencrypt, CONTAINER_PATHS.deploy, `${ARI_CACHE_DIR}/${ARI_CACHE_NAME}`])
    .then(parseSweepFacts);
}

/**
 * The lineages and deployed copies of the certificates certbot just issued or renewed in a sweep, read back in one
 * Python run however many there are (a run per site cost three execs each). A name certbot left nothing under is
 * undefined: that site alone fails. Rejects when the run fails: the caller then reads each site alone.
 */
export async function readIssued(
  certbot: CertbotContainer,
  certNames: readonly string[],
): Promise<{ lineages: Map<string, ExistingCertificate | undefined>; deployed: DeployedSerials | undefined }> {
  const facts = parseSweepFacts(
    await certbot.python(SWEEP_FACTS_SCRIPT, [CONTAINER_PATHS.letsencrypt, CONTAINER_PATHS.deploy, '', ...certNames]),
  );
  const lineages = new Map<string, ExistingCertificate | undefined>();
  for (const certName of certNames) {
    const files = facts.lineages.get(certName);
    lineages.set(certName, files && lineageFromFiles(files.cert, files.conf, () => certbot.warnUnreadable(certName)));
  }
  return { lineages, deployed: facts.deployed };
}

/**
 * Reads the store once for a sweep (the sweep's facts: every live certificate and renewal conf), and the CA's renewal
 * windows the sweep needs: those still within their Retry-After come from the cache, the others are asked for in one
 * run in the certbot container. Without the facts (the script failed), each lineage is read in the container as before.
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
  /** readSweepFacts, started by the caller; read here when not given. */
  facts?: Promise<SweepFacts>;
}): Promise<SweepStore> {
  const { engine, certbot, log } = input;
  const facts = await (input.facts ?? readSweepFacts(certbot)).catch((error: unknown) => {
    log.debug(`could not read the store in one run (${(error as Error).message}); reading each lineage in the container`);
    return undefined;
  });
  const cacheText = facts ? facts.ariCache : await certbot.readFile(`${ARI_CACHE_DIR}/${ARI_CACHE_NAME}`).catch(() => undefined);
  const lineages = new Map<string, ExistingCertificate | undefined>();
  for (const { certName } of input.sites) {
    if (facts) {
      const files = facts.lineages.get(certName);
      lineages.set(certName, files && lineageFromFiles(files.cert, files.conf, () => certbot.warnUnreadable(certName)));
    } else {
      // A lineage that cannot be read here is read again in its site's own run, where a failure is that site's alone.
      await certbot.readLineage(certName).then(
        (lineage) => lineages.set(certName, lineage),
        () => undefined,
      );
    }
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
      const kept = facts ? pruneAriCache(cache, new Set(facts.lineages.keys())) : cache;
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

/** One file through the archive API: a cache of a thousand certificates is past what one exec argument may hold. */
async function writeCache(engine: Engine, certbotId: string, cache: AriCache): Promise<void> {
  const tar = pack();
  tar.entry({ name: ARI_CACHE_NAME, mode: 0o600, mtime: new Date() }, `${JSON.stringify(cache)}\n`);
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of tar) chunks.push(chunk as Buffer);
  await engine.putArchive(certbotId, ARI_CACHE_DIR, Buffer.concat(chunks));
}

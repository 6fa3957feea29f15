import type { RenewalWindow } from './renewal-window.js';

/**
 * The CA's renewal windows (ARI) certkit asked for, by certificate name, kept between sweeps so that a sweep of many
 * sites asks the CA only for the certificates whose answer has run out: RFC 9773 has clients poll again after the
 * answer's Retry-After, not at every check.
 */
export type AriCache = Record<string, AriEntry>;

export interface AriEntry {
  /** The certificate the answer is about: a renewed certificate has a window of its own. */
  serial: string;
  /** The CA's directory: a certificate moved to another CA is asked anew. */
  directoryUrl: string;
  /** The window, when the CA has ARI and answered with a usable one. */
  window?: { start: string; end: string; explanationUrl?: string | undefined };
  /** No window because of an error (kept for a short while only, so one failing CA is not asked at every check). */
  error?: string;
  /** When to ask again (the answer's Retry-After, kept within RFC 9773's suggested bounds). */
  nextAt: string;
}

/** RFC 9773 section 4.3: a Retry-After under a minute counts as a minute, over a day as a day. */
export const ARI_MIN_RETRY_S = 60;
export const ARI_MAX_RETRY_S = 86_400;
/** Without a Retry-After: six hours, as Let's Encrypt sends (and certbot assumes). */
export const ARI_DEFAULT_RETRY_S = 6 * 3600;
/** After an error (the CA unreachable, no such certificate there): an hour. */
export const ARI_ERROR_RETRY_S = 3600;

/** What one fetch gave for one certificate, as read by read-renewal-window.ts. */
export interface AriFetch {
  window: RenewalWindow | undefined;
  /** The answer's Retry-After in seconds, when it had one. */
  retryAfterSeconds: number | undefined;
  error?: string;
}

/** The cached window for this certificate; `fresh: false` when it must be asked for (none, expired, another serial or CA). */
export function cachedWindow(
  cache: AriCache,
  certName: string,
  lineage: { serial: string; directoryUrl: string },
  now: Date,
): { fresh: true; window: RenewalWindow | undefined } | { fresh: false } {
  const entry = Object.hasOwn(cache, certName) ? cache[certName] : undefined;
  if (!entry || entry.serial !== lineage.serial || entry.directoryUrl !== lineage.directoryUrl) return { fresh: false };
  const nextAt = Date.parse(entry.nextAt);
  if (Number.isNaN(nextAt) || nextAt <= now.getTime()) return { fresh: false };
  if (!entry.window) return { fresh: true, window: undefined };
  const start = new Date(entry.window.start);
  const end = new Date(entry.window.end);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return { fresh: false };
  return { fresh: true, window: { start, end, explanationUrl: entry.window.explanationUrl } };
}

/** The cache entry for a fetch made at `now`. */
export function entryFor(fetch: AriFetch, lineage: { serial: string; directoryUrl: string }, now: Date): AriEntry {
  const seconds =
    fetch.error !== undefined
      ? ARI_ERROR_RETRY_S
      : Math.min(ARI_MAX_RETRY_S, Math.max(ARI_MIN_RETRY_S, fetch.retryAfterSeconds ?? ARI_DEFAULT_RETRY_S));
  return {
    serial: lineage.serial,
    directoryUrl: lineage.directoryUrl,
    ...(fetch.window
      ? {
          window: {
            start: fetch.window.start.toISOString(),
            end: fetch.window.end.toISOString(),
            explanationUrl: fetch.window.explanationUrl,
          },
        }
      : {}),
    ...(fetch.error !== undefined ? { error: fetch.error } : {}),
    nextAt: new Date(now.getTime() + seconds * 1000).toISOString(),
  };
}

/**
 * Seconds from a Retry-After header (delta-seconds or an HTTP date, RFC 9110); undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined | null, now: Date): number | undefined {
  if (value === undefined || value === null || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.round((at - now.getTime()) / 1000));
}

/** The cache as read back from its file; anything unreadable is an empty cache (it is only a cache). */
export function parseAriCache(text: string | undefined): AriCache {
  if (text === undefined || text.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    const cache: AriCache = {};
    for (const [name, entry] of Object.entries(parsed as Record<string, unknown>)) {
      if (isEntry(entry)) cache[name] = entry;
    }
    return cache;
  } catch {
    return {};
  }
}

function isEntry(value: unknown): value is AriEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return typeof entry['serial'] === 'string' && typeof entry['directoryUrl'] === 'string' && typeof entry['nextAt'] === 'string';
}

/** The entries worth keeping: those of certificates still in the store (a removed lineage's answer goes). */
export function pruneAriCache(cache: AriCache, names: ReadonlySet<string>): AriCache {
  return Object.fromEntries(Object.entries(cache).filter(([name]) => names.has(name)));
}

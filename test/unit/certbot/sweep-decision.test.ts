import { describe, expect, it } from 'vitest';
import {
  ARI_DEFAULT_RETRY_S,
  cachedWindow,
  entryFor,
  parseAriCache,
  parseRetryAfter,
  pruneAriCache,
  type AriCache,
} from '../../../src/certbot/ari-cache.js';
import type { Version } from '../../../src/certbot/certbot-version.js';
import { planCertbotRun, type ExistingCertificate } from '../../../src/certbot/plan-certbot-run.js';
import { certbotNeeded } from '../../../src/certbot/sweep-decision.js';
import { ACME_SERVERS } from '../../../src/config/acme-servers.js';
import { parseRenewalConf, type RenewalConf } from '../../../src/store/renewal-conf.js';
import { makeConfig } from '../support/make-config.js';

const DAY_MS = 86_400_000;
const NOW = new Date('2026-06-01T12:00:00Z');
const V2_1: Version = [2, 1, 0];
const V5_5: Version = [5, 5, 0];
const PEBBLE = ACME_SERVERS.pebble;

/** A renewal conf as certbot 5.5 writes it for a webroot certificate from Pebble, with extra top-level lines. */
function conf(extra = ''): RenewalConf {
  return parseRenewalConf(
    `version = 5.5.0\n${extra}[renewalparams]\nauthenticator = webroot\nwebroot_path = /var/www/certbot,\nserver = ${PEBBLE}\nkey_type = ecdsa\n`,
  );
}

function existing(ageDays: number, renewal: RenewalConf = conf()): ExistingCertificate {
  const notBefore = new Date(NOW.getTime() - ageDays * DAY_MS);
  return { domains: ['widgets.eu'], notBefore, notAfter: new Date(notBefore.getTime() + 90 * DAY_MS), serial: 'abc123', renewal };
}

const config = makeConfig({ CERTBOT_DOMAIN: 'widgets.eu', CERTBOT_SERVER: 'pebble' });
const decide = (lineage: ExistingCertificate | undefined, certbot: Version, extra: { dryRun?: boolean; force?: boolean } = {}) => {
  const plan = planCertbotRun({ config, existing: lineage, certbot, now: NOW, ...extra });
  return { plan, runs: certbotNeeded(plan, lineage) };
};

describe('certbotNeeded: which sites of a sweep start a certbot process', () => {
  it('none for a certificate certbot >= 4 would leave alone (its rule, mirrored, says not due)', () => {
    const { plan, runs } = decide(existing(10), V5_5);
    expect(plan.action).toBe('renew');
    expect(runs).toBe(false);
    expect(plan.reasons[0]).toMatch(/^certbot decides: not due until /);
  });

  it('none for a certificate certkit keeps (certbot < 4)', () => {
    expect(decide(existing(10), V2_1).runs).toBe(false);
  });

  it('certbot runs for a due certificate, on either certbot', () => {
    expect(decide(existing(70), V5_5).runs).toBe(true);
    expect(decide(existing(70), V2_1).runs).toBe(true);
  });

  it('certbot runs to issue, to reissue for changed names, for --force and for a dry run', () => {
    expect(decide(undefined, V5_5).runs).toBe(true);
    const moved = { ...existing(10), domains: ['old.widgets.eu'] };
    expect(decide(moved, V5_5).runs).toBe(true);
    expect(decide(existing(10), V5_5, { force: true }).runs).toBe(true);
    expect(decide(existing(10), V5_5, { dryRun: true }).runs).toBe(true);
  });

  it('certbot decides when the renewal conf sets its own threshold, which only certbot reads', () => {
    expect(decide(existing(10, conf('renew_before_expiry = 80 days\n')), V5_5).runs).toBe(true);
  });
});

describe('the CA renewal window cache (ARI)', () => {
  const lineage = { serial: 'abc123', directoryUrl: PEBBLE };
  const window = { start: new Date('2026-07-01T00:00:00Z'), end: new Date('2026-07-03T00:00:00Z'), explanationUrl: undefined };

  it('is used until the answer`s Retry-After ends, then asked for again', () => {
    const cache: AriCache = { 'widgets.eu': entryFor({ window, retryAfterSeconds: 3600 }, lineage, NOW) };
    const before = cachedWindow(cache, 'widgets.eu', lineage, new Date(NOW.getTime() + 3599_000));
    expect(before).toEqual({ fresh: true, window });
    expect(cachedWindow(cache, 'widgets.eu', lineage, new Date(NOW.getTime() + 3600_000))).toEqual({ fresh: false });
  });

  it('asks again for a renewed certificate (another serial) or one moved to another CA', () => {
    const cache: AriCache = { 'widgets.eu': entryFor({ window, retryAfterSeconds: 3600 }, lineage, NOW) };
    expect(cachedWindow(cache, 'widgets.eu', { ...lineage, serial: 'def456' }, NOW)).toEqual({ fresh: false });
    expect(cachedWindow(cache, 'widgets.eu', { ...lineage, directoryUrl: ACME_SERVERS.production }, NOW)).toEqual({ fresh: false });
    expect(cachedWindow(cache, 'other.eu', lineage, NOW)).toEqual({ fresh: false });
  });

  it('keeps Retry-After within a minute and a day, six hours without one, an hour after an error', () => {
    const seconds = (fetch: Parameters<typeof entryFor>[0]) => (Date.parse(entryFor(fetch, lineage, NOW).nextAt) - NOW.getTime()) / 1000;
    expect(seconds({ window, retryAfterSeconds: 1 })).toBe(60);
    expect(seconds({ window, retryAfterSeconds: 10 * 86_400 })).toBe(86_400);
    expect(seconds({ window, retryAfterSeconds: undefined })).toBe(ARI_DEFAULT_RETRY_S);
    expect(seconds({ window: undefined, retryAfterSeconds: 10, error: 'timed out' })).toBe(3600);
  });

  it('remembers "no window" (a CA without ARI) as an answer, not as a miss', () => {
    const cache: AriCache = { 'widgets.eu': entryFor({ window: undefined, retryAfterSeconds: undefined }, lineage, NOW) };
    expect(cachedWindow(cache, 'widgets.eu', lineage, NOW)).toEqual({ fresh: true, window: undefined });
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('21600', NOW)).toBe(21600);
    expect(parseRetryAfter(new Date(NOW.getTime() + 120_000).toUTCString(), NOW)).toBe(120);
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
  });

  it('reads a damaged cache file as an empty cache, and keeps only entries of certificates in the store', () => {
    expect(parseAriCache('{not json')).toEqual({});
    expect(parseAriCache('[1]')).toEqual({});
    const text = JSON.stringify({ 'a.eu': entryFor({ window, retryAfterSeconds: 60 }, lineage, NOW), 'b.eu': { serial: 1 } });
    const cache = parseAriCache(text);
    expect(Object.keys(cache)).toEqual(['a.eu']);
    expect(Object.keys(pruneAriCache({ ...cache, 'gone.eu': cache['a.eu']! }, new Set(['a.eu'])))).toEqual(['a.eu']);
  });
});

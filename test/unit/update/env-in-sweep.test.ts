import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { readCertificateInfo } from '../../../src/certs/read-certificate.js';
import { envSite } from '../../../src/sites/env-site.js';
import type { Site } from '../../../src/sites/site.js';
import { SWEEP_FACTS_SCRIPT } from '../../../src/store/sweep-facts.js';
import { PREFLIGHT_SCRIPT } from '../../../src/update/preflight.js';
import { configReloadFor, envNotDone, envReport, sweepMembers } from '../../../src/update/sweep-members.js';
import type { UpdateOptions } from '../../../src/update/update.js';
import { issueCertificate } from '../../fixtures/make-certificates.js';
import { FakeEngine, type FakeIssue } from '../support/fake-engine.js';
import { fakeUpdate, START } from '../support/fake-update.js';
import { makeConfig } from '../support/make-config.js';

async function certificate(name: string): Promise<FakeIssue> {
  const issued = await issueCertificate({
    domains: [name],
    notBefore: START,
    notAfter: new Date(START.getTime() + 90 * 86_400_000),
    label: name,
  });
  return { cert: issued.cert, fullchain: issued.fullchain, privkey: issued.privkey };
}

const serialOf = (issue: FakeIssue): string => readCertificateInfo(issue.cert).serial;

/** A new stack: nothing issued, the sites file declares `ids` beside the .env site (widgets.eu). */
async function newStack(ids: readonly string[]) {
  const engine = new FakeEngine();
  const projectDir = await mkdtemp(join(tmpdir(), 'certkit-env-sweep-'));
  onTestFinished(() => rm(projectDir, { recursive: true, force: true }));
  await writeFile(
    join(projectDir, 'sites.yaml'),
    ids.map((id) => `${id}:\n  host: ${id}.eu\n  upstream: http://10.0.0.5:3000\n`).join('\n'),
  );
  return {
    engine,
    update: (options?: Partial<UpdateOptions>) => fakeUpdate(engine, { projectDir, env: { CERTKIT_PREFLIGHT: 'true' }, update: options }),
  };
}

const preflightRuns = (engine: FakeEngine) => engine.certbotRuns.filter((argv) => argv[2] === PREFLIGHT_SCRIPT);
const storeReads = (engine: FakeEngine) => engine.certbotRuns.filter((argv) => argv[2] === SWEEP_FACTS_SCRIPT);

// The .env site is one more site of the sweep: its names in the one preflight, its lineage in the one read-back, its
// switch to HTTPS in the one reload; its result is still the one `update` reports first, its failure the run's error.
describe('the .env site in the sweep of all sites', { timeout: 30_000 }, () => {
  it('a new stack of three sites: one preflight, one read-back, one reload, the .env site issued and served first', async () => {
    const { engine, update } = await newStack(['shop', 'blog']);
    const issued = await Promise.all(['widgets.eu', 'shop.eu', 'blog.eu'].map(certificate));
    engine.queued.push(...issued);
    const { result } = await update();
    expect(result).toMatchObject({
      certName: 'widgets.eu',
      action: 'issued',
      reloaded: true,
      served: [{ name: 'widgets.eu', serial: serialOf(issued[0] as FakeIssue) }],
    });
    expect(result.others?.map((other) => [other.site, other.result?.action])).toEqual([
      ['shop', 'issued'],
      ['blog', 'issued'],
    ]);
    expect(preflightRuns(engine)).toHaveLength(1);
    expect(
      preflightRuns(engine)[0]
        ?.slice(5)
        .map((target) => target.split(' ')[0]),
    ).toEqual(['widgets.eu', 'shop.eu', 'blog.eu']);
    expect(storeReads(engine).map((argv) => argv.slice(6))).toEqual([[], ['widgets.eu', 'shop', 'blog']]);
    expect(engine.reloads).toBe(1);
    // The sweep links the sites once before certbot runs; after it, the .env site's `select https` links them too:
    // one `nginx -t` for both, no `sites` run of its own before it.
    expect(engine.nginxRuns.filter((argv) => argv[2] === 'select' || argv[2] === 'sites').map((argv) => argv.slice(2))).toEqual([
      ['sites'],
      ['select', 'https'],
    ]);
  });

  it("the .env site's preflight failure is the run's error; the other sites are issued and served all the same", async () => {
    const { engine, update } = await newStack(['shop', 'blog']);
    engine.unreachable.add('widgets.eu');
    engine.queued.push(await certificate('shop.eu'), await certificate('blog.eu'));
    const error = await update().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: 'PREFLIGHT_FAILED' });
    expect((error as Error).message).toContain('widgets.eu');
    expect(preflightRuns(engine)).toHaveLength(1);
    expect(Object.fromEntries(engine.siteLinks)).toEqual({ shop: 'https', blog: 'https' });
    expect(engine.reloads).toBe(1);
  });

  it("the daemon's run returns the .env site's failure instead of throwing it, naming the site; the others are served", async () => {
    const { engine, update } = await newStack(['shop', 'blog']);
    engine.unreachable.add('widgets.eu');
    engine.queued.push(await certificate('shop.eu'), await certificate('blog.eu'));
    const { result, log } = await update({ envFailureInResult: true });
    expect(result).toMatchObject({ certName: 'widgets.eu', action: 'skipped', failure: { code: 'PREFLIGHT_FAILED' } });
    expect(result.failure?.message).toContain('widgets.eu');
    expect(result.waiting).toBeUndefined();
    expect(result.others?.map((other) => [other.site, other.result?.action])).toEqual([
      ['shop', 'issued'],
      ['blog', 'issued'],
    ]);
    expect(log.filter((line) => line.startsWith('error: site widgets.eu (widgets.eu): PREFLIGHT_FAILED: '))).toHaveLength(1);
    expect(Object.fromEntries(engine.siteLinks)).toEqual({ shop: 'https', blog: 'https' });
  });

  it('the .env site waiting out its backoff is not worked on (no preflight, no certbot) and says why; the others are', async () => {
    const { engine, update } = await newStack(['shop']);
    engine.queued.push(await certificate('shop.eu'));
    const reason = 'failed 1 time in a row; next try at 2026-11-22T12:01:00.000Z';
    const { result } = await update({ envFailureInResult: true, waiting: (site) => (site === 'widgets.eu' ? reason : undefined) });
    expect(result).toMatchObject({ certName: 'widgets.eu', action: 'skipped', waiting: reason, reasons: [`waits: ${reason}`] });
    expect(result.failure).toBeUndefined();
    expect(result.others?.map((other) => [other.site, other.result?.action])).toEqual([['shop', 'issued']]);
    expect(
      preflightRuns(engine)[0]
        ?.slice(5)
        .map((target) => target.split(' ')[0]),
    ).toEqual(['shop.eu']);
    expect(storeReads(engine).map((argv) => argv.slice(6))).toEqual([[], ['shop']]);
  });
});

describe('sweepMembers, configReloadFor, envReport', () => {
  const config = makeConfig();
  const shop: Site = { ...envSite(makeConfig({ CERTBOT_DOMAIN: 'shop.eu' }), undefined), id: 'shop', sources: [] };

  it('the .env site first with .env’s own Config and `select`; the others with their own Config', () => {
    const members = sweepMembers(config, envSite(config, '.env'), [shop]);
    expect(members.map((member) => [member.site.id, member.config.certName, member.selects])).toEqual([
      ['widgets.eu', 'widgets.eu', true],
      ['shop', 'shop.eu', false],
    ]);
    expect(members[0]?.config).toBe(config);
    expect(sweepMembers(config, undefined, [shop]).map((member) => member.site.id)).toEqual(['shop']);
  });

  it('a configuration change is reloaded at the end for several sites on certkit’s nginx, else by the site', () => {
    expect(configReloadFor(config, 1, 0)).toBe('site');
    expect(configReloadFor(config, 2, 0)).toBe('end');
    expect(configReloadFor(config, 1, 1)).toBe('end');
    expect(configReloadFor(makeConfig({ CERTKIT_NGINX_MODE: 'own' }), 3, 0)).toBe('site');
  });

  it("the .env site's result, or its own error, or nothing when it was left out", () => {
    const members = sweepMembers(config, envSite(config, '.env'), [shop]);
    const outcome = (site: string) => ({ site, names: [], declaredIn: [] });
    const failure = new Error('refused');
    expect(envReport(members, [{ outcome: outcome('widgets.eu'), error: failure }, { outcome: outcome('shop') }])).toEqual({
      ok: false,
      error: failure,
      outcome: outcome('widgets.eu'),
    });
    const result = { action: 'unchanged' } as never;
    expect(envReport(members, [{ outcome: { ...outcome('widgets.eu'), result } }])).toEqual({ ok: true, result });
    expect(envReport(sweepMembers(config, undefined, [shop]), [{ outcome: outcome('shop') }])).toBeUndefined();
  });

  it("envNotDone: the .env site's failure or wait as a result that serves nothing new", () => {
    const base = { site: 'widgets.eu', names: ['widgets.eu'], declaredIn: [] };
    const failed = envNotDone(config, ['nginx/site.conf'], { ...base, error: { code: 'CA_REFUSED', message: 'no\nmore' } });
    expect(failed).toMatchObject({
      action: 'skipped',
      failure: { code: 'CA_REFUSED' },
      reasons: ['failed: no'],
      rendered: ['nginx/site.conf'],
    });
    expect(failed.waiting).toBeUndefined();
    const waits = envNotDone(config, [], { ...base, skipped: 'failed 2 times in a row' });
    expect(waits).toMatchObject({ action: 'skipped', waiting: 'failed 2 times in a row', served: [], reloaded: false });
    expect(waits.failure).toBeUndefined();
  });
});

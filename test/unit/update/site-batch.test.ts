import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { readCertificateInfo } from '../../../src/certs/read-certificate.js';
import { issueCertificate } from '../../fixtures/make-certificates.js';
import { FakeEngine, type FakeIssue } from '../support/fake-engine.js';
import { fakeUpdate, START } from '../support/fake-update.js';
import { SWEEP_FACTS_SCRIPT } from '../../../src/store/sweep-facts.js';
import { PREFLIGHT_SCRIPT } from '../../../src/update/preflight.js';

const DAY_MS = 86_400_000;

async function certificate(name: string): Promise<FakeIssue> {
  const issued = await issueCertificate({
    domains: [name],
    notBefore: START,
    notAfter: new Date(START.getTime() + 90 * DAY_MS),
    label: name,
  });
  return { cert: issued.cert, fullchain: issued.fullchain, privkey: issued.privkey };
}

const serialOf = (issue: FakeIssue): string => readCertificateInfo(issue.cert).serial;
const declared = (ids: readonly string[]) => ids.map((id) => `${id}:\n  host: ${id}.eu\n  upstream: http://10.0.0.5:3000\n`).join('\n');

/** The .env site served; the sites file declares `ids`, none issued yet. */
async function stackWith(ids: readonly string[], settings: Record<string, string> = {}) {
  const engine = new FakeEngine();
  const env = await certificate('widgets.eu');
  engine.seed('widgets.eu', env, { deployed: true, served: true });
  const projectDir = await mkdtemp(join(tmpdir(), 'certkit-site-batch-'));
  onTestFinished(() => rm(projectDir, { recursive: true, force: true }));
  await writeFile(join(projectDir, 'sites.yaml'), declared(ids));
  return { engine, update: () => fakeUpdate(engine, { projectDir, env: settings }) };
}

// A sweep issues every due site first (certbot one at a time), then serves them together: linked once, one reload.
describe('sites issued in one sweep are served together', { timeout: 30_000 }, () => {
  it('three first certificates: certbot three times, one link, one reload, each site served its own serial', async () => {
    const ids = ['shop', 'blog', 'docs'];
    const { engine, update } = await stackWith(ids);
    const issued = await Promise.all(ids.map((id) => certificate(`${id}.eu`)));
    engine.queued.push(...issued);
    const { result, log } = await update();
    expect(result.others?.map((other) => other.result?.action)).toEqual(['issued', 'issued', 'issued']);
    for (const [index, other] of (result.others ?? []).entries()) {
      expect(other.result).toMatchObject({
        reloaded: true,
        served: [{ name: `${ids[index]}.eu`, serial: serialOf(issued[index] as FakeIssue) }],
      });
      expect(engine.siteLinks.get(ids[index] as string)).toBe('https');
    }
    expect(engine.reloads).toBe(1);
    expect(log).toContain('info: nginx reloaded for shop, blog, docs; waiting until it serves their certificates');
  });

  it('a site certbot fails for fails alone: the others are issued and served by the one reload', async () => {
    const ids = ['shop', 'blog', 'docs'];
    const { engine, update } = await stackWith(ids);
    // The fake issues in order: the third certbot run finds nothing queued and fails.
    engine.queued.push(await certificate('shop.eu'), await certificate('blog.eu'));
    const { result } = await update();
    expect(result.others?.map((other) => [other.site, other.result?.action ?? 'failed'])).toEqual([
      ['shop', 'issued'],
      ['blog', 'issued'],
      ['docs', 'failed'],
    ]);
    expect(result.others?.[2]?.error?.message).toContain('queued no certificate');
    expect(engine.reloads).toBe(1);
    expect(engine.siteLinks.get('docs')).toBe('http');
  });

  it('nothing issued: a second sweep runs no reload and no handshake of its own per site', async () => {
    const ids = ['shop', 'blog'];
    const { engine, update } = await stackWith(ids);
    engine.queued.push(await certificate('shop.eu'), await certificate('blog.eu'));
    await update();
    const { result } = await update();
    expect(result.others?.map((other) => other.result?.action)).toEqual(['unchanged', 'unchanged']);
    expect(engine.reloads).toBe(1);
  });
});

const preflightRuns = (engine: FakeEngine) => engine.certbotRuns.filter((argv) => argv[2] === PREFLIGHT_SCRIPT);
const storeReads = (engine: FakeEngine) => engine.certbotRuns.filter((argv) => argv[2] === SWEEP_FACTS_SCRIPT);
const catOfLive = (engine: FakeEngine) => engine.certbotRuns.filter((argv) => argv[0] === 'cat' && argv[1]?.includes('/live/'));

// What a due site costs beyond certbot is done once for the sweep: one preflight of every due site's names, one read
// of what certbot wrote; a site whose names fail the preflight fails alone, named, and certbot never runs for it.
describe("a sweep's due sites share one preflight and one read-back", { timeout: 30_000 }, () => {
  it('three due sites: one preflight run for their names, one read-back, certbot three times', async () => {
    const ids = ['shop', 'blog', 'docs'];
    const { engine, update } = await stackWith(ids, { CERTKIT_PREFLIGHT: 'true' });
    engine.queued.push(...(await Promise.all(ids.map((id) => certificate(`${id}.eu`)))));
    const { result, log } = await update();
    expect(result.others?.map((other) => other.result?.action)).toEqual(['issued', 'issued', 'issued']);
    const runs = preflightRuns(engine);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.slice(5).map((target) => target.split(' ')[0])).toEqual(['shop.eu', 'blog.eu', 'docs.eu']);
    expect(log).toContain('info: preflight: checking the names of 3 due sites reach this nginx');
    // The sweep's own read of the store, then one read-back of the three certificates certbot wrote.
    expect(storeReads(engine).map((argv) => argv.slice(6))).toEqual([[], ['shop', 'blog', 'docs']]);
    expect(catOfLive(engine)).toEqual([]);
    expect(engine.certbotRuns.filter((argv) => argv[0] === 'certbot' && argv[1] !== '--version')).toHaveLength(3);
  });

  it('a site whose name does not reach nginx fails alone, named, and certbot does not run for it', async () => {
    const ids = ['shop', 'blog', 'docs'];
    const { engine, update } = await stackWith(ids, { CERTKIT_PREFLIGHT: 'true' });
    engine.unreachable.add('blog.eu');
    engine.queued.push(await certificate('shop.eu'), await certificate('docs.eu'));
    const { result } = await update();
    expect(result.others?.map((other) => [other.site, other.result?.action ?? other.error?.code])).toEqual([
      ['shop', 'issued'],
      ['blog', 'PREFLIGHT_FAILED'],
      ['docs', 'issued'],
    ]);
    expect(result.others?.[1]?.error?.message).toContain('blog.eu: <urlopen error [Errno 111] Connection refused>');
    expect(result.others?.[1]?.error?.message).not.toContain('shop.eu');
    expect(preflightRuns(engine)).toHaveLength(1);
    const issuedFor = engine.certbotRuns.filter((argv) => argv[0] === 'certbot' && argv[1] === 'certonly').map((argv) => argv.join(' '));
    expect(issuedFor.some((argv) => argv.includes('blog.eu'))).toBe(false);
    expect(issuedFor).toHaveLength(2);
  });
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { readCertificateInfo } from '../../../src/certs/read-certificate.js';
import { issueCertificate } from '../../fixtures/make-certificates.js';
import { FakeEngine, type FakeIssue } from '../support/fake-engine.js';
import { fakeUpdate, START } from '../support/fake-update.js';

const DAY_MS = 86_400_000;

async function certificate(name: string, ageDays: number): Promise<FakeIssue> {
  const notBefore = new Date(START.getTime() - ageDays * DAY_MS);
  const issued = await issueCertificate({ domains: [name], notBefore, notAfter: new Date(notBefore.getTime() + 90 * DAY_MS), label: name });
  return { cert: issued.cert, fullchain: issued.fullchain, privkey: issued.privkey };
}

const serialOf = (issue: FakeIssue): string => readCertificateInfo(issue.cert).serial;

/** A project whose .env site (widgets.eu) nginx serves, with a sites file that declares shop.eu or nothing. */
async function servedStack() {
  const engine = new FakeEngine();
  engine.seed('widgets.eu', await certificate('widgets.eu', 10), { deployed: true, served: true });
  const projectDir = await mkdtemp(join(tmpdir(), 'certkit-site-reloads-'));
  onTestFinished(() => rm(projectDir, { recursive: true, force: true }));
  const declare = (sites: string) => writeFile(join(projectDir, 'sites.yaml'), sites);
  const update = () => fakeUpdate(engine, { projectDir, env: { CERTKIT_SITE_GRACE: '0' } });
  return { engine, declare, update };
}

const SHOP = 'shop:\n  host: shop.eu\n  upstream: http://10.0.0.5:3000\n';

// Every change to the sites changes the stamp in every rendered nginx file, the .env site's too. Each site's own run
// reloads nginx only for its own certificate or link; a change of configuration alone is reloaded once, at the end.
describe('reloads when sites come and go', { timeout: 30_000 }, () => {
  it('adding a site issues its certificate and reloads nginx once, which then serves it', async () => {
    const { engine, declare, update } = await servedStack();
    const shop = await certificate('shop.eu', 0);
    engine.queued.push(shop);
    await declare(SHOP);
    const { result } = await update();
    expect(result.others?.[0]?.result).toMatchObject({
      action: 'issued',
      reloaded: true,
      served: [{ name: 'shop.eu', serial: serialOf(shop) }],
    });
    expect(result).toMatchObject({ action: 'unchanged', reloaded: false });
    expect(engine.siteLinks.get('shop')).toBe('https');
    expect(engine.reloads).toBe(1);
  });

  it('removing a site and adding it back (its certificate kept) cost one reload each', async () => {
    const { engine, declare, update } = await servedStack();
    engine.queued.push(await certificate('shop.eu', 0));
    await declare(SHOP);
    await update();
    const stamps = [engine.runningStamp];

    await declare('');
    await update();
    expect(engine.siteLinks.has('shop')).toBe(false);
    expect(engine.reloads).toBe(2);
    stamps.push(engine.runningStamp);

    await declare(SHOP);
    const added = await update();
    expect(added.result.others?.[0]?.result).toMatchObject({ action: 'unchanged', reloaded: true });
    expect(engine.reloads).toBe(3);
    // The same files give the same stamp: nginx runs again what it ran before the site went.
    expect(engine.runningStamp).toBe(stamps[0]);
    expect(stamps[1]).not.toBe(stamps[0]);
  });

  it('re-routing a site reloads nginx once, at the end of the run; a run with nothing changed reloads nothing', async () => {
    const { engine, declare, update } = await servedStack();
    engine.queued.push(await certificate('shop.eu', 0));
    await declare(SHOP);
    await update();
    await declare(SHOP.replace('3000', '3001'));
    const { log } = await update();
    expect(engine.reloads).toBe(2);
    expect(log).toContain('info: nginx reloaded for the sites that changed');
    await update();
    expect(engine.reloads).toBe(2);
  });
});

import { execFileSync } from 'node:child_process';
import { readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { analyzeStore } from '../../../src/store/analyze-store.js';
import { readDirSnapshot } from '../../../src/store-io/read-dir-snapshot.js';
import type { LineageSpec } from '../../fixtures/store-fixtures.js';
import { buildStore, FIXTURE_NOW } from '../../fixtures/store-fixtures.js';

async function analyze(specs: LineageSpec[]) {
  const store = await buildStore(specs);
  onTestFinished(() => store.remove());
  return analyzeStore(await readDirSnapshot(store.root), { now: FIXTURE_NOW });
}

async function analyzeOne(spec: LineageSpec) {
  const [report] = await analyze([spec]);
  if (report === undefined) throw new Error('no report');
  return report;
}

describe('analyzeStore', { timeout: 20_000 }, () => {
  it('reports a healthy lineage with its certificate facts and no problems', async () => {
    const report = await analyzeOne({ name: 'example.com', domains: ['example.com', 'www.example.com'], versions: 3 });
    expect(report).toMatchObject({
      name: 'example.com',
      domains: ['example.com', 'www.example.com'],
      versions: 3,
      newestVersion: 3,
      live: 'ok',
      daysLeft: 60,
      keyType: 'ecdsa-prime256v1',
      problems: [],
    });
    expect(report.issuer).toContain('certkit test CA');
    expect(report.serial).toMatch(/^[0-9a-f]+$/);
    expect(report.renewal).toMatchObject({ authenticator: 'webroot', keyType: 'ecdsa', webrootPaths: ['/var/www/html'], version: '2.1.0' });
    // certbot 2.1 wrote the conf: its rule (30 days before expiry, never before half the lifetime) plans the renewal.
    const { notBefore, notAfter, renewalAt } = report;
    if (!notBefore || !notAfter || !renewalAt) throw new Error('dates missing');
    const lifetime = notAfter.getTime() - notBefore.getTime();
    expect(renewalAt.getTime()).toBe(
      Math.max(Math.min(notAfter.getTime() - lifetime / 3, notAfter.getTime() - 30 * 86_400_000), notBefore.getTime() + lifetime / 2),
    );
    expect(report.valid).toBe(true);
  });

  it('says live files replaced by copies are regular files and names the archive version they match', async () => {
    const report = await analyzeOne({ name: 'copy.test', domains: ['copy.test'], versions: 2, live: 'copies' });
    expect(report.live).toContain('cert.pem: regular file (= version 2)');
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toContain('live/copy.test/cert.pem, chain.pem, fullchain.pem, privkey.pem: regular file(s), not symlinks');
    expect(report.problems[0]).toContain(
      'for f in cert chain fullchain privkey; do ln -sfn ../../archive/copy.test/${f}2.pem ${f}.pem; done',
    );
    expect(report.domains).toEqual(['copy.test']);
  });

  it('recognises hardlinks (seed 000) and suggests mounting the whole store instead', async () => {
    const report = await analyzeOne({ name: 'hard.test', domains: ['hard.test'], live: 'hardlinks' });
    expect(report.live).toContain('privkey.pem: hardlink (= version 1)');
    expect(report.problems.join(' ')).toMatch(/mount the whole config dir read-only/);
  });

  it('reports dangling links and a missing live file, pointing at the newest complete version', async () => {
    const dangling = await analyzeOne({ name: 'dangle.test', domains: ['dangle.test'], versions: 2, live: 'dangling' });
    expect(dangling.live).toContain('cert.pem: dangling link');
    expect(dangling.problems[0]).toContain('../../archive/dangle.test/${f}2.pem');
    expect(dangling.domains).toEqual(['dangle.test']);
    const missing = await analyzeOne({ name: 'nokey.test', domains: ['nokey.test'], live: 'missing-privkey' });
    expect(missing.live).toBe('privkey.pem: missing');
    expect(missing.problems.join(' ')).toContain('ln -sfn ../../archive/nokey.test/privkey1.pem privkey.pem');
  });

  it.each([
    ['hardlinks', 3],
    ['copies', 3],
    ['dangling', 2],
    ['missing-privkey', 1],
  ] as const)(
    'prints a relink command for %s live files that, run in sh from the config dir, repairs the store',
    async (live, versions) => {
      const store = await buildStore([{ name: 'fix.test', domains: ['fix.test'], versions, live }]);
      onTestFinished(() => store.remove());
      const [before] = analyzeStore(await readDirSnapshot(store.root), { now: FIXTURE_NOW });
      const command = /Fix, from the config dir \(\/etc\/letsencrypt\): "([^"]*)"\./.exec(before?.problems.join('\n') ?? '')?.[1];
      expect(command).toBeDefined();
      execFileSync('sh', ['-c', command as string], { cwd: store.root });
      const [after] = analyzeStore(await readDirSnapshot(store.root), { now: FIXTURE_NOW });
      expect(after).toMatchObject({ live: 'ok', problems: [] });
      for (const kind of ['cert', 'chain', 'fullchain', 'privkey']) {
        expect(await readlink(join(store.root, 'live/fix.test', `${kind}.pem`))).toMatch(
          new RegExp(`^\\.\\./\\.\\./archive/fix\\.test/${kind}\\d+\\.pem$`),
        );
      }
    },
  );

  it('explains a -0001 duplicate with the exact certbot commands', async () => {
    const reports = await analyze([
      { name: 'shop.test', domains: ['shop.test', 'www.shop.test'] },
      { name: 'shop.test-0001', domains: ['shop.test'] },
      { name: 'blog.test-0001', domains: ['blog.test'] },
    ]);
    const duplicate = reports.find((r) => r.name === 'shop.test-0001');
    expect(duplicate?.problems).toHaveLength(1);
    expect(duplicate?.problems[0]).toContain('shop.test already covers every name of shop.test-0001');
    expect(duplicate?.problems[0]).toContain('"certbot delete --cert-name shop.test-0001"');
    expect(reports.find((r) => r.name === 'shop.test')?.problems).toEqual([]);
    expect(reports.find((r) => r.name === 'blog.test-0001')?.problems).toEqual([]);
  });

  it('tells how to merge a duplicate that covers more names', async () => {
    const reports = await analyze([
      { name: 'a.test', domains: ['a.test'] },
      { name: 'a.test-0001', domains: ['a.test', 'b.a.test'] },
    ]);
    expect(reports[1]?.problems[0]).toContain(
      '"certbot certonly --cert-name a.test --expand --webroot -w /var/www/html -d a.test -d b.a.test"',
    );
  });

  it('reports an expired certificate with negative days left', async () => {
    const report = await analyzeOne({ name: 'old.test', domains: ['old.test'], expired: true });
    expect(report.daysLeft).toBe(-10);
    expect(report.problems).toEqual([
      expect.stringMatching(/^The certificate expired on \d{4}-\d\d-\d\d.*certbot renew --cert-name old\.test/),
    ]);
  });

  it('finds a private key that does not belong to the certificate', async () => {
    const report = await analyzeOne({ name: 'mismatch.test', domains: ['mismatch.test'], mismatchedKey: true });
    expect(report.problems).toEqual([expect.stringContaining('privkey.pem does not belong to cert.pem')]);
  });

  it('flags private keys that group or others can read', async () => {
    const report = await analyzeOne({ name: 'open.test', domains: ['open.test'], versions: 2, keyMode: 0o644 });
    expect(report.problems).toEqual([
      expect.stringContaining('archive/open.test/privkey1.pem, archive/open.test/privkey2.pem can be read by group or others (mode 0644)'),
    ]);
  });

  it('reports a missing renewal conf and copies that match no archive version', async () => {
    const report = await analyzeOne({ name: 'lost.test', domains: ['lost.test'], live: 'foreign-copies', renewalConf: false });
    expect(report.live).toContain('cert.pem: regular file (matching no archive version)');
    expect(report.problems.join('\n')).toContain('renewal/lost.test.conf is missing');
  });
});

import { describe, expect, it, onTestFinished } from 'vitest';
import { analyzeStore } from '../../../src/store/analyze-store.js';
import { planRepairs } from '../../../src/store/plan-repairs.js';
import { planPrune } from '../../../src/store/plan-prune.js';
import { readDirSnapshot } from '../../../src/store/read-dir-snapshot.js';
import type { StoreSnapshot } from '../../../src/store/snapshot.js';
import { buildStore, FIXTURE_NOW } from '../../fixtures/store-fixtures.js';

/** Copies one lineage's entries under `count` names: real certificates, no disk or openssl per copy. */
function replicate(template: StoreSnapshot, name: string, count: number): StoreSnapshot {
  const snapshot: StoreSnapshot = new Map();
  for (let i = 0; i < count; i += 1) {
    const copy = `site-${i}.test`;
    for (const [path, entry] of template) {
      if (!path.includes(name)) continue;
      const content = entry.content === undefined ? undefined : Buffer.from(entry.content.toString('utf8').replaceAll(name, copy));
      snapshot.set(path.replaceAll(name, copy), { ...entry, linkTarget: entry.linkTarget?.replaceAll(name, copy), content });
    }
  }
  return snapshot;
}

describe('store analysis speed', { timeout: 30_000 }, () => {
  it('analyses and plans 1,000 lineages of 3 versions well under a second', async () => {
    const store = await buildStore([{ name: 'template.test', domains: ['template.test', 'www.template.test'], versions: 3 }]);
    onTestFinished(() => store.remove());
    const template = await readDirSnapshot(store.root);
    // One small run first, so one-time costs (OpenSSL's X.509 setup, JIT) are not billed to the 1,000.
    analyzeStore(template, { now: FIXTURE_NOW });
    const snapshot = replicate(template, 'template.test', 1000);
    const started = performance.now();
    const reports = analyzeStore(snapshot, { now: FIXTURE_NOW });
    const analysed = performance.now() - started;
    const repairs = planRepairs(snapshot);
    const prune = planPrune(snapshot, 2);
    const total = performance.now() - started;
    expect(reports).toHaveLength(1000);
    expect(reports.every((report) => report.live === 'ok' && report.problems.length === 0)).toBe(true);
    expect(repairs).toEqual([]);
    expect(prune.remove).toHaveLength(4000);
    // Parsing the certificates (node's X509Certificate) is about half of it; the bound leaves room for busy CI.
    expect(analysed).toBeLessThan(1000);
    expect(total).toBeLessThan(1500);
  });
});

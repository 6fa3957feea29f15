import { describe, expect, it, onTestFinished } from 'vitest';
import { analyzeStore } from '../../../src/store/analyze-store.js';
import { planRepairs } from '../../../src/store/plan-repairs.js';
import { planPrune } from '../../../src/store/plan-prune.js';
import { readDirSnapshot } from '../../../src/store-io/read-dir-snapshot.js';
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

// How fast this is lives in bench/ (a printed table against certbot), never in a timed assertion.
describe('a store of 1,000 certificates', { timeout: 30_000 }, () => {
  it('is analysed, repaired and pruned as a whole', async () => {
    const store = await buildStore([{ name: 'template.test', domains: ['template.test', 'www.template.test'], versions: 3 }]);
    onTestFinished(() => store.remove());
    const template = await readDirSnapshot(store.root);
    const snapshot = replicate(template, 'template.test', 1000);
    const reports = analyzeStore(snapshot, { now: FIXTURE_NOW });
    const repairs = planRepairs(snapshot);
    const prune = planPrune(snapshot, 2);
    expect(reports).toHaveLength(1000);
    expect(reports.every((report) => report.live === 'ok' && report.problems.length === 0)).toBe(true);
    expect(repairs).toEqual([]);
    expect(prune.remove).toHaveLength(4000);
  });
});

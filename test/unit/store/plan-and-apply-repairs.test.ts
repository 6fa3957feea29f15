import { readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { analyzeStore } from '../../../src/store/analyze-store.js';
import { applyRepairs } from '../../../src/store-io/apply-repairs.js';
import { createLocalStoreWriter } from '../../../src/store-io/local-store-writer.js';
import { describeRepair, planRepairs } from '../../../src/store/plan-repairs.js';
import { readDirSnapshot } from '../../../src/store-io/read-dir-snapshot.js';
import type { StoreSnapshot } from '../../../src/store/snapshot.js';
import type { LineageSpec } from '../../fixtures/store-fixtures.js';
import { buildStore, FIXTURE_NOW } from '../../fixtures/store-fixtures.js';

/** Every distinct .pem content in the store: repairs may add copies but must never lose one. */
function collectPemContents(snapshot: StoreSnapshot): Set<string> {
  const contents = new Set<string>();
  for (const [path, entry] of snapshot)
    if (path.endsWith('.pem') && entry.content !== undefined) contents.add(entry.content.toString('utf8'));
  return contents;
}

async function repairStore(specs: LineageSpec[]) {
  const store = await buildStore(specs);
  onTestFinished(() => store.remove());
  const before = await readDirSnapshot(store.root);
  const repairs = planRepairs(before);
  const applied = await applyRepairs(repairs, createLocalStoreWriter(store.root));
  const after = await readDirSnapshot(store.root);
  return { root: store.root, before, repairs, applied, after, reports: analyzeStore(after, { now: FIXTURE_NOW }) };
}

describe('planRepairs + applyRepairs', { timeout: 20_000 }, () => {
  it('plans nothing for a healthy store', async () => {
    const store = await buildStore([{ name: 'ok.test', domains: ['ok.test'], versions: 2 }]);
    onTestFinished(() => store.remove());
    expect(planRepairs(await readDirSnapshot(store.root))).toEqual([]);
  });

  it.each(['copies', 'hardlinks', 'dangling', 'missing-privkey'] as const)(
    'turns live/ %s back into links to the newest version',
    async (live) => {
      const { repairs, applied, after, before, reports, root } = await repairStore([
        { name: 'fix.test', domains: ['fix.test'], versions: 2, live },
      ]);
      expect(repairs.every((r) => r.kind === 'symlink')).toBe(true);
      expect(applied.every((a) => a.ok)).toBe(true);
      expect(reports[0]).toMatchObject({ live: 'ok', problems: [] });
      expect(await readlink(join(root, 'live/fix.test/privkey.pem'))).toBe('../../archive/fix.test/privkey2.pem');
      expect(collectPemContents(after)).toEqual(collectPemContents(before));
    },
  );

  it('archives live files that match no version as a new version, keeping backups', async () => {
    const { repairs, applied, before, after, reports, root } = await repairStore([
      { name: 'odd.test', domains: ['odd.test'], live: 'foreign-copies' },
    ]);
    expect(applied.every((a) => a.ok)).toBe(true);
    expect(repairs.map((r) => r.kind)).toContain('rename');
    expect(repairs.map(describeRepair)).toContain(
      'copy live/odd.test/cert.pem.certkit-replaced.bak to archive/odd.test/cert2.pem: archive the bytes live/ served as version 2',
    );
    expect(reports[0]).toMatchObject({ live: 'ok', newestVersion: 2, versions: 2, problems: [] });
    const servedBefore = before.get('live/odd.test/cert.pem')?.content?.toString('utf8');
    expect(await readFile(join(root, 'live/odd.test/cert.pem'), 'utf8')).toBe(servedBefore);
    expect(await readFile(join(root, 'live/odd.test/cert.pem.certkit-replaced.bak'), 'utf8')).toBe(servedBefore);
    expect(after.get('archive/odd.test/privkey2.pem')?.mode).toBe(0o600);
    for (const content of collectPemContents(before)) expect(collectPemContents(after)).toContain(content);
  });

  it('chmods loose private keys to 0600', async () => {
    const { repairs, after, reports } = await repairStore([{ name: 'open.test', domains: ['open.test'], versions: 2, keyMode: 0o644 }]);
    expect(repairs).toEqual([
      { kind: 'chmod', path: 'archive/open.test/privkey1.pem', mode: 0o600, reason: expect.any(String) },
      { kind: 'chmod', path: 'archive/open.test/privkey2.pem', mode: 0o600, reason: expect.any(String) },
    ]);
    expect(after.get('archive/open.test/privkey2.pem')?.mode).toBe(0o600);
    expect(reports[0]?.problems).toEqual([]);
  });

  it('leaves problems it cannot fix to the report: a key that does not match stays as it is', async () => {
    const { repairs, reports } = await repairStore([{ name: 'mismatch.test', domains: ['mismatch.test'], mismatchedKey: true }]);
    expect(repairs).toEqual([]);
    expect(reports[0]?.problems).toHaveLength(1);
  });

  it('stops at the first failing step and reports it', async () => {
    const failing = {
      symlink: async () => {
        throw new Error('read-only');
      },
      rename: async () => {},
      chmod: async () => {},
      copy: async () => {},
      remove: async () => {},
    };
    const repairs = [
      { kind: 'symlink', path: 'live/a/cert.pem', target: '../../archive/a/cert1.pem', reason: 'r' },
      { kind: 'chmod', path: 'archive/a/privkey1.pem', mode: 0o600, reason: 'r' },
    ] as const;
    const applied = await applyRepairs(repairs, failing);
    expect(applied).toHaveLength(1);
    expect(applied[0]).toMatchObject({ ok: false });
  });

  it('refuses repair paths that leave the store', async () => {
    await expect(createLocalStoreWriter('/tmp/nowhere').chmod('../etc/passwd', 0o600)).rejects.toMatchObject({ code: 'STORE_INVALID' });
  });

  it('refuses to remove a path outside the store, as the container writer does (prune --yes --store)', async () => {
    await expect(createLocalStoreWriter('/tmp/nowhere').remove('../etc/passwd')).rejects.toMatchObject({ code: 'STORE_INVALID' });
    await expect(createLocalStoreWriter('/tmp/nowhere').remove('/etc/passwd')).rejects.toMatchObject({ code: 'STORE_INVALID' });
  });
});

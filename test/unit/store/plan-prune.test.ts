import { describe, expect, it } from 'vitest';
import { planPrune } from '../../../src/store/plan-prune.js';
import type { StoreEntry, StoreSnapshot } from '../../../src/store/snapshot.js';

const KINDS = ['cert', 'chain', 'fullchain', 'privkey'];

function file(content = 'x'): StoreEntry {
  return { type: 'file', mode: 0o644, uid: 0, gid: 0, size: content.length, mtime: new Date(0), content: Buffer.from(content) };
}
function link(target: string): StoreEntry {
  return { type: 'symlink', mode: 0o777, uid: 0, gid: 0, size: target.length, mtime: new Date(0), linkTarget: target };
}

/** A lineage with versions 1..n in archive/ and live/ linked to `liveVersion`; content makes versions distinct. */
function lineage(snapshot: StoreSnapshot, name: string, versions: number, liveVersion: number): StoreSnapshot {
  for (let v = 1; v <= versions; v += 1)
    for (const kind of KINDS) snapshot.set(`archive/${name}/${kind}${v}.pem`, file(`${name}-${kind}-${v}`));
  for (const kind of KINDS) snapshot.set(`live/${name}/${kind}.pem`, link(`../../archive/${name}/${kind}${liveVersion}.pem`));
  return snapshot;
}

describe('planPrune', () => {
  it('removes versions older than the newest `keep`', () => {
    const plan = planPrune(lineage(new Map(), 'a.test', 4, 4), 2);
    expect(plan.keptVersions).toEqual({ 'a.test': [3, 4] });
    expect(plan.remove).toEqual(KINDS.flatMap((k) => [`archive/a.test/${k}1.pem`, `archive/a.test/${k}2.pem`]).sort());
  });

  it('never removes the version live/ points at, even an old one', () => {
    const plan = planPrune(lineage(new Map(), 'b.test', 4, 1), 1);
    expect(plan.keptVersions).toEqual({ 'b.test': [1, 4] });
    expect(plan.remove.some((path) => path.includes('1.pem'))).toBe(false);
  });

  it('keeps an old key that a newer version reuses through a link', () => {
    const snapshot = lineage(new Map(), 'c.test', 3, 3);
    snapshot.set('archive/c.test/privkey3.pem', link('privkey1.pem'));
    const plan = planPrune(snapshot, 1);
    expect(plan.remove).not.toContain('archive/c.test/privkey1.pem');
    expect(plan.remove).toContain('archive/c.test/cert1.pem');
    expect(plan.remove).toContain('archive/c.test/privkey2.pem');
  });

  it('keeps the version a live/ copy matches, so a repair can still link to it', () => {
    const snapshot = lineage(new Map(), 'd.test', 3, 3);
    snapshot.set('live/d.test/cert.pem', file('d.test-cert-2'));
    expect(planPrune(snapshot, 1).keptVersions).toEqual({ 'd.test': [2, 3] });
  });

  it('removes unreferenced keys/ and csr/ files only', () => {
    const snapshot = lineage(new Map(), 'e.test', 1, 1);
    snapshot.set('keys/0000_key-certbot.pem', file());
    snapshot.set('keys/0001_key-certbot.pem', file());
    snapshot.set('csr/0000_csr-certbot.pem', file());
    snapshot.set('live/e.test/extra.pem', link('../../keys/0001_key-certbot.pem'));
    expect(planPrune(snapshot, 1).remove).toEqual(['csr/0000_csr-certbot.pem', 'keys/0000_key-certbot.pem']);
  });

  it('refuses keep < 1', () => {
    expect(() => planPrune(new Map(), 0)).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });
});

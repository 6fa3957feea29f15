import { pack } from 'tar-stream';
import { describe, expect, it, onTestFinished } from 'vitest';
import { analyzeStore } from '../../../src/store/analyze-store.js';
import { readDirSnapshot } from '../../../src/store-io/read-dir-snapshot.js';
import { readTarSnapshot } from '../../../src/store/read-tar-snapshot.js';
import type { StoreSnapshot } from '../../../src/store/snapshot.js';
import { buildStore, FIXTURE_NOW } from '../../fixtures/store-fixtures.js';

type TarEntry = { name: string; type: 'file' | 'directory' | 'symlink' | 'link'; linkname?: string; content?: Buffer; mode?: number };

/** Packs entries as Docker's getArchive does: everything under one folder named after the archived path. */
function packTar(entries: readonly TarEntry[]): AsyncIterable<Buffer> {
  const tar = pack();
  for (const { content, ...header } of entries)
    tar.entry({ mode: header.type === 'directory' ? 0o755 : 0o644, ...header }, content ?? Buffer.alloc(0));
  tar.finalize();
  return tar as unknown as AsyncIterable<Buffer>;
}

/** The same store as a tar, with live/ entries made into hardlinks when asked (what seed 000's user did). */
function toTar(snapshot: StoreSnapshot, hardlinkLive: boolean): TarEntry[] {
  const entries: TarEntry[] = [{ name: 'letsencrypt/', type: 'directory' }];
  for (const [path, entry] of snapshot) {
    const name = `letsencrypt/${path}`;
    if (entry.type === 'directory') entries.push({ name, type: 'directory' });
    else if (entry.type === 'symlink' && hardlinkLive)
      entries.push({ name, type: 'link', linkname: `letsencrypt/${path.replace(/^live\/([^/]+)\/(\w+)\.pem$/, 'archive/$1/$21.pem')}` });
    else if (entry.type === 'symlink') entries.push({ name, type: 'symlink', linkname: entry.linkTarget ?? '' });
    else entries.push({ name, type: 'file', mode: entry.mode, content: entry.content ?? Buffer.from('') });
  }
  return entries;
}

describe('readTarSnapshot', { timeout: 20_000 }, () => {
  it('strips the one folder getArchive wraps, not the one below it (a deploy folder holding one certificate)', async () => {
    const snapshot = await readTarSnapshot(
      packTar([
        { name: 'deploy/', type: 'directory' },
        { name: 'deploy/only.test/', type: 'directory' },
        { name: 'deploy/only.test/cert.pem', type: 'file', content: Buffer.from('CERT') },
      ]),
    );
    expect([...snapshot.keys()]).toEqual(['only.test', 'only.test/cert.pem']);
  });

  it('strips the leading folder, keeps order, modes and link texts, and matches a directory walk', async () => {
    const store = await buildStore([{ name: 'tar.test', domains: ['tar.test'], keyMode: 0o640 }]);
    onTestFinished(() => store.remove());
    const walked = await readDirSnapshot(store.root);
    const snapshot = await readTarSnapshot(packTar(toTar(walked, false)));
    expect([...snapshot.keys()]).toEqual([...walked.keys()]);
    expect(snapshot.get('live/tar.test/cert.pem')).toMatchObject({ type: 'symlink', linkTarget: '../../archive/tar.test/cert1.pem' });
    expect(snapshot.get('archive/tar.test/privkey1.pem')?.mode).toBe(0o640);
    expect(analyzeStore(snapshot, { now: FIXTURE_NOW })).toEqual(analyzeStore(walked, { now: FIXTURE_NOW }));
  });

  it('reads hardlink entries as hardlinks to the earlier entry and says which version they are', async () => {
    const store = await buildStore([{ name: 'hl.test', domains: ['hl.test'] }]);
    onTestFinished(() => store.remove());
    const snapshot = await readTarSnapshot(packTar(toTar(await readDirSnapshot(store.root), true)));
    expect(snapshot.get('live/hl.test/cert.pem')).toMatchObject({ type: 'hardlink', linkTarget: 'archive/hl.test/cert1.pem' });
    const [report] = analyzeStore(snapshot, { now: FIXTURE_NOW });
    expect(report?.live).toContain('cert.pem: hardlink (= version 1)');
    expect(report?.domains).toEqual(['hl.test']);
  });

  it("keeps names when the only folder is one of certbot's, or when told not to strip", async () => {
    const snapshot = await readTarSnapshot(
      packTar([
        { name: 'renewal/', type: 'directory' },
        { name: 'renewal/a.conf', type: 'file', content: Buffer.from('cert = x\n') },
      ]),
    );
    expect([...snapshot.keys()]).toEqual(['renewal', 'renewal/a.conf']);
    expect(snapshot.get('renewal/a.conf')?.content?.toString()).toBe('cert = x\n');
    const unstripped = await readTarSnapshot(
      packTar([
        { name: 'etc/', type: 'directory' },
        { name: 'etc/x.pem', type: 'file' },
      ]),
      { stripFolder: false },
    );
    expect([...unstripped.keys()]).toEqual(['etc', 'etc/x.pem']);
  });

  it('refuses names that leave the root and hardlinks to later entries', async () => {
    await expect(readTarSnapshot(packTar([{ name: '../evil.pem', type: 'file' }]))).rejects.toMatchObject({ code: 'ARCHIVE_UNSAFE' });
    await expect(
      readTarSnapshot(
        packTar([
          { name: 'a/x.pem', type: 'link', linkname: 'a/y.pem' },
          { name: 'a/y.pem', type: 'file' },
        ]),
      ),
    ).rejects.toMatchObject({ code: 'ARCHIVE_UNSAFE' });
  });
});

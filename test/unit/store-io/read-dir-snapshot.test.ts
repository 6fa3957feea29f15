import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readDirSnapshot } from '../../../src/store-io/read-dir-snapshot.js';
import { hasContent, readContent } from '../../../src/store/snapshot.js';

const made: string[] = [];
afterEach(async () => {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function store(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'certkit-walk-'));
  made.push(root);
  await mkdir(join(root, 'archive', 'a.test'), { recursive: true });
  await mkdir(join(root, 'live', 'a.test'), { recursive: true });
  await writeFile(join(root, 'archive', 'a.test', 'cert1.pem'), 'CERT', { mode: 0o644 });
  await writeFile(join(root, 'archive', 'a.test', 'notes.txt'), 'not kept');
  await symlink('../../archive/a.test/cert1.pem', join(root, 'live', 'a.test', 'cert.pem'));
  return root;
}

describe('walking a store folder', () => {
  it('lists every entry in sorted, parent-first order, with what each is, and reads stats, links and bytes when asked', async () => {
    const root = await store();
    const snapshot = await readDirSnapshot(`${root}/`);
    expect([...snapshot.keys()]).toEqual([
      'archive',
      'archive/a.test',
      'archive/a.test/cert1.pem',
      'archive/a.test/notes.txt',
      'live',
      'live/a.test',
      'live/a.test/cert.pem',
    ]);
    expect(snapshot.get('live/a.test/cert.pem')?.type).toBe('symlink');
    expect(snapshot.get('live/a.test/cert.pem')?.linkTarget).toBe('../../archive/a.test/cert1.pem');
    expect(readContent(snapshot, 'live/a.test/cert.pem')?.toString()).toBe('CERT');
    expect(snapshot.get('archive/a.test/cert1.pem')?.mode).toBe(0o644);
    expect(hasContent(snapshot, 'archive/a.test/notes.txt')).toBe(false); // only .pem and .conf bytes are kept
    expect(snapshot.get('archive/a.test/notes.txt')?.content).toBeUndefined();
  });

  it('names the file and the reason when bytes asked for cannot be read (here: removed after the walk)', async () => {
    const root = await store();
    const snapshot = await readDirSnapshot(root);
    await rm(join(root, 'archive', 'a.test', 'cert1.pem'));
    expect(hasContent(snapshot, 'live/a.test/cert.pem')).toBe(true); // known without reading
    expect(() => readContent(snapshot, 'live/a.test/cert.pem')).toThrow(
      /cannot read archive\/a\.test\/cert1\.pem in the certificate store .*ENOENT/,
    );
  });

  it('refuses a root that is not a folder, naming it', async () => {
    const root = await store();
    await expect(readDirSnapshot(join(root, 'missing'))).rejects.toThrow(
      /cannot read the certificate store at .*missing: it must be an existing directory/,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { assertArchiveSafe, checkArchiveEntries } from '../../../src/store/archive-safety.js';

describe('checkArchiveEntries', () => {
  it('accepts a certbot store with relative links and an earlier hardlink target', () => {
    expect(
      checkArchiveEntries([
        { path: 'archive/a/cert1.pem', type: 'file' },
        { path: 'live/a/cert.pem', type: 'symlink', linkTarget: '../../archive/a/cert1.pem' },
        { path: 'live/a/chain.pem', type: 'hardlink', linkTarget: 'archive/a/cert1.pem' },
      ]),
    ).toEqual([]);
  });

  it.each([
    [{ path: '../x', type: 'file' }, 'parent-component', '../x: contains ".."'],
    [{ path: 'live/../../x', type: 'directory' }, 'parent-component', 'live/../../x: contains ".."'],
    [{ path: '/abs', type: 'file' }, 'absolute-path', '/abs: absolute path'],
    [
      { path: 'live/a/cert.pem', type: 'symlink', linkTarget: '../../../etc/shadow' },
      'escaping-symlink',
      'live/a/cert.pem: symlink to ../../../etc/shadow, which resolves outside',
    ],
    [
      { path: 'live/a/cert.pem', type: 'symlink', linkTarget: '/etc/shadow' },
      'escaping-symlink',
      'live/a/cert.pem: symlink to the absolute path /etc/shadow',
    ],
    [
      { path: 'live/a/cert.pem', type: 'hardlink', linkTarget: 'archive/a/cert9.pem' },
      'hardlink-target',
      'not an entry earlier in the archive',
    ],
    [{ path: 'dev/null', type: 'character-device' }, 'special-file', 'dev/null: is a character device'],
    [{ path: 'pipe', type: 'fifo' }, 'special-file', 'pipe: is a FIFO (named pipe)'],
  ])('reports %o as %s', (entry, kind, message) => {
    const problems = checkArchiveEntries([entry]);
    expect(problems).toEqual([{ path: entry.path, kind, message: expect.stringContaining(message) }]);
  });

  it('reports entries written through an earlier symlink', () => {
    const problems = checkArchiveEntries([
      { path: 'live', type: 'symlink', linkTarget: 'archive' },
      { path: 'live/a/cert.pem', type: 'file' },
    ]);
    expect(problems.map((p) => p.kind)).toEqual(['through-symlink']);
  });

  it('throws ARCHIVE_UNSAFE with every problem in details', () => {
    expect(() =>
      assertArchiveSafe([
        { path: '/abs', type: 'file' },
        { path: '../x', type: 'file' },
      ]),
    ).toThrow(
      expect.objectContaining({ code: 'ARCHIVE_UNSAFE', details: [expect.stringContaining('/abs'), expect.stringContaining('../x')] }),
    );
  });
});

import { describe, expect, it } from 'vitest';
import { planRestore, type RestoreEntry } from '../../../src/store/plan-restore.js';

const TARGET = { mountPath: '/etc/letsencrypt', stagePath: '/etc/letsencrypt/.certkit-restore-0123456789ab' };

type Shape = [type: string, path: string, linkTarget?: string];

/** Entries named as a store path (no top folder), in archive order. */
function entries(...shapes: Shape[]): RestoreEntry[] {
  return shapes.map(([type, path, linkTarget]) => ({
    name: path,
    path: path.replace(/\/+$/, ''),
    type,
    ...(linkTarget === undefined ? {} : { linkTarget }),
  }));
}

const LINEAGE: Shape[] = [
  ['directory', 'archive/x/'],
  ['file', 'archive/x/cert1.pem'],
  ['file', 'archive/x/privkey1.pem'],
  ['directory', 'live/x/'],
  ['symlink', 'live/x/cert.pem', '../../archive/x/cert1.pem'],
  ['symlink', 'live/x/privkey.pem', '../../archive/x/privkey1.pem'],
  ['hardlink', 'keys/0000_key-certbot.pem', 'archive/x/privkey1.pem'],
  ['file', 'renewal/x.conf'],
];

const problemsOf = (...shapes: Shape[]) => planRestore(entries(...LINEAGE, ...shapes), TARGET).problems;

describe('planRestore accepts what certbot and tar programs write', () => {
  it('a lineage with relative links and a hardlink, every entry written in order', () => {
    const plan = planRestore(entries(...LINEAGE), TARGET);
    expect(plan.problems).toEqual([]);
    expect(plan.written.map((item) => item.path)).toEqual(LINEAGE.map(([, path]) => path.replace(/\/$/, '')));
  });

  it.each<[string, Shape]>([
    ['a chain of links that stays inside', ['symlink', 'live/x/alias.pem', 'cert.pem']],
    ['a link through a linked folder that comes back inside', ['symlink', 'live/y', 'x']],
    ['an absolute link into the store by its mount path', ['symlink', 'live/x/chain.pem', '/etc/letsencrypt/archive/x/cert1.pem']],
    ['a link that dangles inside the store', ['symlink', 'live/x/fullchain.pem', '../../archive/x/fullchain9.pem']],
    ['a hardlink to a hardlink', ['hardlink', 'keys/0001_key-certbot.pem', 'keys/0000_key-certbot.pem']],
    ['a name of 255 bytes', ['file', `archive/x/${'n'.repeat(255)}`]],
  ])('%s', (_what, shape) => {
    expect(problemsOf(shape)).toEqual([]);
  });

  it('a later entry overrides an earlier one of the same path, and only the last is written', () => {
    const plan = planRestore(entries(...LINEAGE, ['file', 'renewal/x.conf'], ['directory', 'live/x']), TARGET);
    expect(plan.problems).toEqual([]);
    expect(plan.written.filter((item) => item.path === 'renewal/x.conf').map((item) => item.index)).toEqual([LINEAGE.length]);
    // The folder given twice keeps what is under it; its last entry sets its attributes.
    expect(plan.written.map((item) => item.path)).toContain('live/x/cert.pem');
  });

  it('names differing only by a trailing slash are one path: a folder then the same folder', () => {
    expect(planRestore(entries(['directory', 'live/'], ['directory', 'live'], ...LINEAGE), TARGET).problems).toEqual([]);
  });
});

describe('planRestore refuses, naming the entry', () => {
  it.each<[string, Shape[], string, string]>([
    [
      'a chain of symlinks whose last target leaves the store',
      [
        ['symlink', 'live/x/leak.pem', 'hop1'],
        ['symlink', 'live/x/hop1', '../hop2'],
        ['symlink', 'live/hop2', '/etc/hostname'],
      ],
      'escaping-symlink',
      'live/x/leak.pem: symlink to hop1, which resolves outside /etc/letsencrypt (by way of live/x/leak.pem → live/x/hop1 → live/hop2)',
    ],
    [
      'a link through a link to a folder, then .. past the root (lexically inside)',
      [
        ['symlink', 'live/x/up', '..'],
        ['symlink', 'live/x/leak.pem', 'up/../../../etc/hostname'],
      ],
      'escaping-symlink',
      'live/x/leak.pem: symlink to up/../../../etc/hostname, which resolves outside /etc/letsencrypt',
    ],
    [
      'an absolute link that merely starts like the mount path',
      [['symlink', 'live/x/leak.pem', '/etc/letsencrypt-other/x']],
      'escaping-symlink',
      'live/x/leak.pem',
    ],
    [
      'an absolute link into the store that climbs out again',
      [['symlink', 'live/x/leak.pem', '/etc/letsencrypt/../shadow']],
      'escaping-symlink',
      'live/x/leak.pem',
    ],
    [
      'a link that dangles today but leaves the store once its folder exists',
      [['symlink', 'live/x/leak.pem', 'nothing/../../../../etc']],
      'escaping-symlink',
      'live/x/leak.pem',
    ],
    [
      'links that loop',
      [
        ['symlink', 'live/x/a', 'b'],
        ['symlink', 'live/x/b', 'a'],
      ],
      'symlink-loop',
      'live/x/a: symlink to b, which loops',
    ],
    [
      'a file written through a symlink made earlier in the archive',
      [
        ['symlink', 'live/x/d', '../../archive/x'],
        ['file', 'live/x/d/cert2.pem'],
      ],
      'through-symlink',
      'live/x/d/cert2.pem: is written through the symlink live/x/d',
    ],
    [
      'a file written through a link to a link to a folder',
      [
        ['symlink', 'live/a', 'b'],
        ['symlink', 'live/b', 'x'],
        ['file', 'live/a/cert.pem'],
      ],
      'through-symlink',
      'live/a/cert.pem: is written through the symlink live/a',
    ],
    [
      'an entry under a file',
      [['file', 'renewal/x.conf/y']],
      'ambiguous-name',
      'renewal/x.conf/y: is written under renewal/x.conf, which the archive makes a file',
    ],
    [
      'a hardlink to a folder',
      [['hardlink', 'live/x/dir', 'archive/x']],
      'hardlink-target',
      'live/x/dir: hardlink to the folder archive/x',
    ],
    [
      'a hardlink to a folder only implied by the names below it',
      [['hardlink', 'live/x/dir', 'archive']],
      'hardlink-target',
      'hardlink to the folder archive',
    ],
    [
      'a hardlink to a symlink',
      [['hardlink', 'keys/k.pem', 'live/x/privkey.pem']],
      'hardlink-target',
      'keys/k.pem: hardlink to the symlink live/x/privkey.pem',
    ],
    [
      'a hardlink to a later entry',
      [
        ['hardlink', 'keys/k.pem', 'archive/x/cert2.pem'],
        ['file', 'archive/x/cert2.pem'],
      ],
      'hardlink-target',
      'not an entry earlier',
    ],
    [
      'a hardlink to an entry a later one replaces',
      [
        ['hardlink', 'keys/k.pem', 'archive/x/cert1.pem'],
        ['file', 'archive/x/cert1.pem'],
      ],
      'hardlink-target',
      'keys/k.pem: hardlink to archive/x/cert1.pem, which a later entry of the archive replaces',
    ],
    [
      'a hardlink to an entry removed with its folder by a later one',
      [
        ['hardlink', 'keys/k.pem', 'archive/x/cert1.pem'],
        ['file', 'archive/x'],
      ],
      'hardlink-target',
      'which a later entry of the archive replaces',
    ],
    ['a hardlink to itself', [['hardlink', 'renewal/x.conf', 'renewal/x.conf']], 'hardlink-target', 'renewal/x.conf: hardlink to itself'],
    ['a hardlink whose target climbs out', [['hardlink', 'keys/k.pem', '../etc/shadow']], 'parent-component', 'keys/k.pem'],
    ['a hardlink to an absolute path', [['hardlink', 'keys/k.pem', '/etc/shadow']], 'absolute-path', 'keys/k.pem'],
    ['a name of 300 bytes', [['file', `archive/x/${'n'.repeat(300)}`]], 'too-long', 'has a name of 300 bytes'],
    [
      'a path of 4,200 bytes',
      [['file', `archive/${Array.from({ length: 42 }, () => 'd'.repeat(99)).join('/')}`]],
      'too-long',
      'Linux paths hold at most 4095 bytes (PATH_MAX)',
    ],
    [
      'a symlink target of 5,000 bytes',
      [['symlink', 'live/x/long.pem', 'a/'.repeat(2500)]],
      'too-long',
      'live/x/long.pem: is a symlink whose target is 5000 bytes',
    ],
    ['a symlink with no target', [['symlink', 'live/x/empty.pem', '']], 'ambiguous-name', 'live/x/empty.pem: is a symlink with no target'],
    ['a FIFO', [['fifo', 'live/x/pipe']], 'special-file', 'live/x/pipe: is a FIFO'],
    ['a character device', [['character-device', 'null']], 'special-file', 'null: is a character device'],
    ['an absolute path', [['file', '/etc/cron.d/evil']], 'absolute-path', '/etc/cron.d/evil: absolute path'],
    ['a .. component', [['file', 'live/../../evil']], 'parent-component', 'live/../../evil: contains ".."'],
    ['a symlink named as the store folder itself', [['symlink', '', '/']], 'ambiguous-name', 'named as the store folder itself'],
    ['a name that is not UTF-8', [['file', 'renewal/\uFFFD.conf']], 'ambiguous-name', 'not valid UTF-8'],
  ])('%s', (_what, shapes, kind, message) => {
    const problems = problemsOf(...shapes);
    expect(problems.map((problem) => problem.kind)).toContain(kind);
    expect(problems.map((problem) => problem.message).join('\n')).toContain(message);
  });

  it('a file or link named with a trailing slash (it names a folder)', () => {
    const problems = planRestore(
      [...entries(...LINEAGE), { name: 'live/x/cert.pem/', path: 'live/x/cert.pem', type: 'file' }],
      TARGET,
    ).problems;
    expect(problems).toEqual([
      expect.objectContaining({ kind: 'ambiguous-name', message: expect.stringContaining('whose name ends in "/"') }),
    ]);
  });

  it('a hardlink to a name outside the folder the archive is restored from', () => {
    const problems = planRestore(
      [
        ...entries(...LINEAGE),
        { name: 'letsencrypt/keys/k.pem', path: 'keys/k.pem', type: 'hardlink', linkTarget: 'archive/x/cert1.pem', linkOutside: true },
      ],
      TARGET,
    ).problems;
    expect(problems.map((problem) => problem.message)).toEqual([
      'keys/k.pem: hardlink to archive/x/cert1.pem, outside the folder the archive is restored from',
    ]);
  });

  it('checks every occurrence of a path: a bad entry overridden later is still refused', () => {
    const problems = problemsOf(['symlink', 'live/x/cert.pem', '/etc/shadow'], ['symlink', 'live/x/cert.pem', '../../archive/x/cert1.pem']);
    expect(problems).toEqual([]);
    // The link is resolved as the archive leaves it; an earlier special file is refused whatever follows.
    expect(problemsOf(['fifo', 'live/x/cert.pem'], ['symlink', 'live/x/cert.pem', '../../archive/x/cert1.pem']).map((p) => p.kind)).toEqual(
      ['special-file'],
    );
  });

  it('resolves links in the tree the archive leaves: a folder replaced by a symlink takes the entries under it away', () => {
    const problems = problemsOf(
      ['directory', 'live/z'],
      ['file', 'live/z/cert.pem'],
      ['symlink', 'live/z', '../../../etc'],
      ['file', 'live/z/after.pem'],
    );
    expect(problems.map((problem) => problem.message)).toEqual([
      'live/z/after.pem: is written through the symlink live/z, so it could land anywhere that link points',
      'live/z: symlink to ../../../etc, which resolves outside /etc/letsencrypt',
    ]);
  });

  it('counts path bytes under the staging folder, where they are longest', () => {
    const budget = 4095 - TARGET.stagePath.length - 1;
    const path = (bytes: number) => `archive/${Array.from({ length: 40 }, () => 'd'.repeat(99)).join('/')}/`.padEnd(bytes, 'f');
    expect(problemsOf(['file', path(budget)])).toEqual([]);
    expect(problemsOf(['file', path(budget + 1)]).map((problem) => problem.kind)).toEqual(['too-long']);
  });
});

import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveLinkTarget } from '../../../src/store/snapshot.js';

/** What path.posix gives, with the snapshot's rules: absolute targets and targets leaving the store are null. */
function throughPosix(linkPath: string, target: string): string | null {
  if (posix.isAbsolute(target)) return null;
  const resolved = posix.normalize(posix.join(posix.dirname(linkPath), target));
  if (resolved === '..' || resolved.startsWith('../')) return null;
  return resolved === '.' ? '' : resolved.replace(/\/$/, '');
}

describe('resolving a link text inside the store', () => {
  const links = ['live/a.test/cert.pem', 'cert.pem', 'archive/a.test/privkey2.pem', 'a/b/c/d'];
  const targets = [
    '../../archive/a.test/cert1.pem',
    'cert1.pem',
    './cert1.pem',
    '../../../etc/passwd',
    '..',
    '.',
    'x/../y',
    'x//y/',
    '../a.test/./../b/../../../z',
    '/etc/letsencrypt/archive/a.test/cert1.pem',
    '',
  ];
  for (const link of links)
    for (const target of targets)
      it(`${link} -> ${JSON.stringify(target)} as path.posix resolves it`, () => {
        expect(resolveLinkTarget(link, target)).toBe(throughPosix(link, target));
      });
});

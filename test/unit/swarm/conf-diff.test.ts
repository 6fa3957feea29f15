import { describe, expect, it } from 'vitest';
import { lineDiff } from '../../../src/swarm/conf-diff.js';

const lines = (count: number, prefix = 'line') => Array.from({ length: count }, (_, index) => `${prefix} ${index + 1}`);

describe('lineDiff: what the nginx service runs against the rendering', () => {
  it('is empty for the same text', () => {
    expect(lineDiff('a\nb\n', 'a\nb\n')).toEqual([]);
  });

  it('shows an added server with two lines of context and where it starts', () => {
    const before = [...lines(10), ''].join('\n');
    const after = [...lines(5), 'server {', '  server_name app.test;', '}', ...lines(10).slice(5), ''].join('\n');
    expect(lineDiff(before, after)).toEqual([
      '@@ line 4 @@',
      ' line 4',
      ' line 5',
      '+server {',
      '+  server_name app.test;',
      '+}',
      ' line 6',
      ' line 7',
    ]);
  });

  it('keeps hunks apart, and shows a changed line as removed then added', () => {
    const before = lines(20);
    const after = [...before];
    after[1] = 'changed 2';
    after[17] = 'changed 18';
    expect(lineDiff(before.join('\n'), after.join('\n'), { context: 1 })).toEqual([
      '@@ line 1 @@',
      ' line 1',
      '-line 2',
      '+changed 2',
      ' line 3',
      '@@ line 17 @@',
      ' line 17',
      '-line 18',
      '+changed 18',
      ' line 19',
    ]);
  });

  it('shows a text too long to compare as replaced whole, never a wrong diff', () => {
    expect(lineDiff('a\nb\n', 'c\nd\n', { maxCells: 2 })).toEqual(['@@ line 1 @@', '-a', '-b', '+c', '+d']);
  });
});

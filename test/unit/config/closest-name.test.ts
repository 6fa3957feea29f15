import { describe, expect, it } from 'vitest';
import { closestName, editDistance } from '../../../src/config/closest-name.js';

describe('editDistance', () => {
  it('counts a swap of two neighbours as one edit, like an insertion, a deletion or a substitution', () => {
    expect(editDistance('prot', 'port')).toBe(1);
    expect(editDistance('CERTBOT_DOMIAN', 'CERTBOT_DOMAIN')).toBe(1);
    expect(editDistance('port', 'por')).toBe(1);
    expect(editDistance('port', 'sort')).toBe(1);
    expect(editDistance('abc', 'cba')).toBe(2);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('closestName', () => {
  it('suggests the known name behind a swapped pair of letters', () => {
    expect(closestName('prot', ['host', 'port', 'path'])).toBe('port');
    expect(closestName('zzzz', ['host', 'port'])).toBeUndefined();
  });
});

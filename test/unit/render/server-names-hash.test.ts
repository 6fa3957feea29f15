import { describe, expect, it } from 'vitest';
import { serverNamesHash } from '../../../src/render/server-names-hash.js';

describe('serverNamesHash', () => {
  it("keeps nginx's 512-slot limit for a few names, with buckets for four of the longest", () => {
    expect(serverNamesHash(['widgets.eu', 'www.widgets.eu'])).toEqual({ maxSize: 512, bucketSize: 128 });
  });

  it('sizes the limit from the count: 1,000 sites of two names each (what bench/nginx-scale.js loads without a warning)', () => {
    const names = Array.from({ length: 1000 }, (_, i) => [`site-${i}.bench.certkit.test`, `www.site-${i}.bench.certkit.test`]).flat();
    expect(serverNamesHash(['bench.certkit.test', ...names])).toEqual({ maxSize: 4096, bucketSize: 256 });
  });

  it('fits the longest name a DNS name can be (253 characters) in a bucket', () => {
    expect(serverNamesHash([`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`]).bucketSize).toBe(2048);
  });
});

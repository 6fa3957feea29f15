/**
 * nginx's server_names_hash sizes for these names (every name of every site: nginx hashes them per listening port).
 * nginx's defaults (a 512-slot limit, 64-byte buckets) hold a few hundred short names; past that, nginx warns
 * ("could not build optimal server_names_hash") and falls back to a slower hash, and a name longer than a bucket
 * stops it loading. A bucket here holds four of the longest name (nginx stores each as a pointer and the name
 * padded to pointer size, and ends a bucket with a pointer), and the limit is twice the names: measured with 2,002
 * names of up to 31 characters, 1,024 slots of 256 bytes load without a warning, 8,192 of 64 bytes do not. Pure.
 */
export function serverNamesHash(names: readonly string[]): { maxSize: number; bucketSize: number } {
  const longest = names.reduce((max, name) => Math.max(max, name.length), 0);
  const element = 8 + Math.ceil((longest + 2) / 8) * 8;
  return { maxSize: Math.max(512, nextPowerOfTwo(2 * names.length)), bucketSize: Math.max(64, nextPowerOfTwo(8 + 4 * element)) };
}

function nextPowerOfTwo(value: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, value)));
}

import { X509Certificate } from 'node:crypto';
import type { TestStack } from './stack.js';

const SCRIPT = `
import ssl, sys, urllib.request
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
print(urllib.request.urlopen(sys.argv[1], context=ctx, timeout=10).read().decode())
`;

/** Pebble's current root, from its management API, fetched inside the stack (its network is internal). */
export async function fetchPebbleRoot(stack: TestStack, service = 'certbot'): Promise<X509Certificate> {
  const result = await stack.exec(service, ['python3', '-c', SCRIPT, 'https://pebble:15000/roots/0']);
  if (result.code !== 0) throw new Error(`could not fetch Pebble's root: ${result.stderr}`);
  return new X509Certificate(result.stdout);
}

/** Pebble's current intermediates (only the first chain). */
export async function fetchPebbleIntermediate(stack: TestStack, service = 'certbot'): Promise<X509Certificate> {
  const result = await stack.exec(service, ['python3', '-c', SCRIPT, 'https://pebble:15000/intermediates/0']);
  if (result.code !== 0) throw new Error(`could not fetch Pebble's intermediate: ${result.stderr}`);
  return new X509Certificate(result.stdout);
}

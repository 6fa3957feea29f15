import { isIPv4, isIPv6 } from 'node:net';

/**
 * node's isIP (0, 4 or 6), but node's IPv6 pattern runs only on text with a colon: its first use compiles a large
 * regular expression (some 3 ms), paid otherwise by every start that checks a hostname (issue 11).
 */
export function ipFamily(text: string): 0 | 4 | 6 {
  if (isIPv4(text)) return 4;
  return text.includes(':') && isIPv6(text) ? 6 : 0;
}

/**
 * The canonical form of an IP address (IPv4 dotted quad, IPv6 lowercase and compressed), or undefined when the text
 * is not one. Certificates, certbot and nginx all print IPv6 differently; comparing canonical forms keeps
 * `fd00:0:0::5` and `FD00::5` the same identifier.
 */
export function canonicalIp(text: string): string | undefined {
  const bare = text.replace(/^\[(.*)\]$/, '$1');
  const family = ipFamily(bare);
  if (family === 4) return bare;
  if (family === 6) return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  return undefined;
}

export function isIpAddress(identifier: string): boolean {
  return canonicalIp(identifier) !== undefined;
}

/** How a URL or an HTTP Host header writes this identifier: IPv6 in brackets, anything else as is. */
export function hostForUrl(identifier: string): string {
  return ipFamily(identifier) === 6 ? `[${identifier}]` : identifier;
}

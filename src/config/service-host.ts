import { isIPv4, isIPv6 } from 'node:net';
import { punycodeProblem } from './hostnames.js';

/**
 * A host certkit's containers reach (NGINX_UPSTREAM, CERTKIT_ROUTES, alert webhooks): a Compose service name (one
 * label, maybe with "_"), a DNS name, an IPv4 address, or an IPv6 address in brackets.
 */
export function serviceHostProblem(host: string): string | undefined {
  if (host === '') return 'has no host';
  if (host.startsWith('[')) return isIPv6(host.slice(1, -1)) ? undefined : `has "${host}", which is not an IPv6 address`;
  if (/^[\d.]+$/.test(host)) return isIPv4(host) ? undefined : `has "${host}", which is not an IPv4 address`;
  if (host.length > 253) return 'has a host longer than 253 characters';
  const bad = /[^A-Za-z0-9._-]/.exec(host);
  if (bad)
    return `has the character ${JSON.stringify(bad[0])} in its host at position ${bad.index + 1}; a host holds letters, digits, ".", "-" and "_"`;
  const label = host.split('.').find((part) => part === '' || part.length > 63 || /^-|-$/.test(part));
  if (label !== undefined)
    return `has the host "${host}", whose label "${label}" is empty, over 63 characters, or starts or ends with a hyphen`;
  const idn = punycodeProblem(host.toLowerCase());
  return idn ? `has the host "${host}", whose ${idn}` : undefined;
}

/** A port written after a host's ":" (undefined: none written), or why it is not 1-65535. */
export function portProblem(port: string | undefined): string | undefined {
  if (port === undefined) return undefined;
  if (port === '') return 'has a ":" after the host but no port; remove it or add the port';
  return Number(port) >= 1 && Number(port) <= 65535 ? undefined : `has the port ${port}, outside 1-65535`;
}

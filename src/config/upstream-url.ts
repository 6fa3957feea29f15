import { isIPv4, isIPv6 } from 'node:net';
import * as z from 'zod';

// No path: nginx passes the request URI on unchanged when proxy_pass takes a variable. nginx -t cannot check the
// host and port (proxy_pass takes a variable), so they are checked here.
export const upstreamSchema = z.string().transform((raw, ctx): string => {
  if (raw === '') return raw;
  const fix = 'expected scheme, host and port only, like http://web:3000 (leave it empty for a placeholder page)';
  const match = /^(https?):\/\/(\[[^\]]*\]|[^:/]*)(?::([^/]*))?(\/.*)?$/i.exec(raw);
  if (!match) {
    ctx.addIssue({
      code: 'custom',
      message: /^[a-z]+:\/\//i.test(raw) ? `has a scheme nginx cannot proxy to; ${fix}` : `has no http:// or https:// scheme; ${fix}`,
    });
    return z.NEVER;
  }
  const [, scheme, host = '', port, path] = match;
  const hostProblem = upstreamHostProblem(host);
  const problem =
    hostProblem ??
    (port !== undefined && !/^\d{1,5}$/.test(port) ? `has the port "${port}", which is not a number` : undefined) ??
    (port !== undefined && (Number(port) < 1 || Number(port) > 65535) ? `has the port ${port}, outside 1-65535` : undefined) ??
    (path !== undefined && path !== '/'
      ? `has the path "${path}"; nginx passes the request path on as it came, so leave the path out`
      : undefined);
  if (problem) {
    ctx.addIssue({ code: 'custom', message: `${problem}; ${fix}` });
    return z.NEVER;
  }
  return `${(scheme as string).toLowerCase()}://${host}${port !== undefined ? `:${port}` : ''}`;
});

/** A Compose service name, a DNS name, an IPv4 address, or an IPv6 address in brackets. */
function upstreamHostProblem(host: string): string | undefined {
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
  return undefined;
}

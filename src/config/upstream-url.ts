import * as z from 'zod';
import { serviceHostProblem } from './service-host.js';

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
  const hostProblem = serviceHostProblem(host);
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

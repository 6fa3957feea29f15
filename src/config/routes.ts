import * as z from 'zod';
import { upstreamSchema } from './upstream-url.js';

/** One path nginx proxies to one service: `location PATH` with the request passed on unchanged. */
export interface Route {
  /** A URL path prefix, as nginx's `location /api` matches it (/api, /api/x and /apix). */
  path: string;
  /** scheme://host[:port], as NGINX_UPSTREAM takes it. */
  upstream: string;
}

const EXAMPLE = 'like /api=api:5001,/=web:3000';
/** What a location prefix may hold: nginx reads it literally, and nothing here can end the directive. */
const PATH = /^\/[A-Za-z0-9._~!*+:@%/-]*$/;
const ACME = '/.well-known/acme-challenge';

/**
 * CERTKIT_ROUTES: comma-separated PATH=TARGET, TARGET being a Compose service and port (`api:5001`) or a URL
 * (`https://api:5001`). Each route is checked as NGINX_UPSTREAM is; a bad one is named by its place and text.
 */
export const routesSchema = z.string().transform((raw, ctx): Route[] => {
  const routes: Route[] = [];
  let failed = false;
  const parts = raw === '' ? [] : raw.split(',').map((part) => part.trim());
  for (const [index, part] of parts.entries()) {
    const problem = (text: string) => {
      failed = true;
      ctx.addIssue({ code: 'custom', message: `has route ${index + 1} "${part}", which ${text}; write PATH=SERVICE:PORT, ${EXAMPLE}` });
    };
    if (part === '') {
      problem('is empty (a stray comma?)');
      continue;
    }
    const eq = part.indexOf('=');
    if (eq < 0) {
      problem('has no "="');
      continue;
    }
    const path = part.slice(0, eq).trim();
    const target = part.slice(eq + 1).trim();
    if (!PATH.test(path)) {
      problem(
        path.startsWith('/')
          ? 'has a path with a character other than letters, digits and ._~!*+:@%/- (nginx would not read it as one path)'
          : 'has a path that does not start with /',
      );
      continue;
    }
    if (path === ACME || path.startsWith(`${ACME}/`)) {
      problem(`takes ${ACME}/, which certkit keeps for certificate validation`);
      continue;
    }
    if (routes.some((route) => route.path === path)) {
      problem(`repeats the path ${path}`);
      continue;
    }
    const upstream = upstreamSchema.safeParse(/^[a-z]+:\/\//i.test(target) ? target : `http://${target}`);
    if (!upstream.success || target === '') {
      problem(`has the target "${target}", which ${upstream.error?.issues[0]?.message.replace(/;.*$/, '') ?? 'is empty'}`);
      continue;
    }
    routes.push({ path, upstream: upstream.data });
  }
  return failed ? z.NEVER : routes;
});

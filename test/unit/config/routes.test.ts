import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';

const load = (env: Record<string, string>) => loadConfig({ env: { CERTBOT_DOMAIN: 'widgets.eu', ...env } });
const problem = (env: Record<string, string>): string => {
  try {
    load(env);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a configuration error');
};

describe('CERTKIT_ROUTES: several paths, each to its service', () => {
  it('reads PATH=SERVICE:PORT and URLs, in order, with NGINX_UPSTREAM as the route for /', () => {
    expect(load({ CERTKIT_ROUTES: '/api=api:5001, /e/=https://plugin_daemon:5002,/=web:3000' }).nginx.routes).toEqual([
      { path: '/api', upstream: 'http://api:5001' },
      { path: '/e/', upstream: 'https://plugin_daemon:5002' },
      { path: '/', upstream: 'http://web:3000' },
    ]);
    expect(load({ CERTKIT_ROUTES: '/api=api:5001', NGINX_UPSTREAM: 'http://web:3000' }).nginx.routes).toEqual([
      { path: '/api', upstream: 'http://api:5001' },
      { path: '/', upstream: 'http://web:3000' },
    ]);
    expect(load({ NGINX_UPSTREAM: 'http://web:3000' }).nginx.routes).toEqual([{ path: '/', upstream: 'http://web:3000' }]);
    expect(load({}).nginx.routes).toEqual([]);
  });

  it.each([
    ['/api', 'route 1 "/api", which has no "="'],
    ['api=api:5001', 'has a path that does not start with /'],
    ['/a b=api:5001', 'has a path with a character'],
    ['/a;b=api:5001', 'has a path with a character'],
    ['/api=api:5001,,/=web:3000', 'route 2 "", which is empty'],
    ['/api=api:5001,/api=web:3000', 'repeats the path /api'],
    ['/api=api:99999', 'has the target "api:99999", which has the port 99999, outside 1-65535'],
    ['/api=', 'has the target "", which'],
    ['/api=api:5001/v1', 'has the path "/v1"'],
    ['/.well-known/acme-challenge/x=api:1', 'certkit keeps for certificate validation'],
  ])('refuses %s, naming the variable and the route', (value, message) => {
    const text = problem({ CERTKIT_ROUTES: value });
    expect(text).toContain(`CERTKIT_ROUTES: ${JSON.stringify(value)}`);
    expect(text).toContain(message);
    expect(text).toContain('like /api=api:5001,/=web:3000');
  });

  it('refuses a / route beside NGINX_UPSTREAM, which is the / route', () => {
    expect(problem({ CERTKIT_ROUTES: '/=web:3000', NGINX_UPSTREAM: 'http://other:80' })).toContain(
      'CERTKIT_ROUTES and NGINX_UPSTREAM both say where / goes',
    );
  });
});

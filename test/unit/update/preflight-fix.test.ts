import { describe, expect, it } from 'vitest';
import { preflightFix } from '../../../src/update/preflight.js';

describe('preflightFix', () => {
  it("names the missing certkit-acme.conf include when a web server answered every name (the app's nginx, say)", () => {
    const fix = preflightFix([
      { detail: "HTTP 200, unexpected body 'web /.well-known/acme-challenge/certkit-preflight-9633845819'" },
      { detail: 'HTTP Error 404: Not Found' },
    ]);
    expect(fix).toContain('include /etc/certkit/nginx/certkit-acme.conf;');
  });

  it('points at DNS and port 80 when a name reached no web server', () => {
    const fix = preflightFix([{ detail: 'HTTP 200, unexpected body ""' }, { detail: '<urlopen error [Errno 111] Connection refused>' }]);
    expect(fix).toMatch(/^Point each name's DNS/);
    expect(fix).not.toContain('certkit-acme.conf');
  });
});

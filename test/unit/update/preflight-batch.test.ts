import { describe, expect, it } from 'vitest';
import { bodyFits } from '../../../src/docker/api-allowlist.js';
import { PREFLIGHT_CHUNK, preflightChunks, preflightFailures, preflightTargets } from '../../../src/update/preflight-batch.js';
import { preflightArgs, PREFLIGHT_SCRIPT } from '../../../src/update/preflight.js';

describe('preflightTargets', () => {
  it('asks each name itself, or the test CA address with the name as Host; an IP address always at itself', () => {
    expect(preflightTargets(['shop.eu', '2001:db8::1'], 'f', undefined)).toEqual([
      { name: 'shop.eu', url: 'http://shop.eu/.well-known/acme-challenge/f', host: undefined },
      { name: '2001:db8::1', url: 'http://[2001:db8::1]/.well-known/acme-challenge/f', host: undefined },
    ]);
    expect(preflightTargets(['shop.eu', '192.0.2.7'], 'f', '172.18.0.5')).toEqual([
      { name: 'shop.eu', url: 'http://172.18.0.5/.well-known/acme-challenge/f', host: 'shop.eu' },
      { name: '192.0.2.7', url: 'http://192.0.2.7/.well-known/acme-challenge/f', host: undefined },
    ]);
  });
});

describe('preflightChunks: one run per PREFLIGHT_CHUNK names, however many sites hold them', () => {
  it('puts the names of many sites into as few runs as fit, each name once', () => {
    const sites = Array.from({ length: 100 }, (_, index) => ({ id: `s${index}`, names: [`s${index}.eu`, `www.s${index}.eu`] }));
    const chunks = preflightChunks(sites);
    expect(chunks.map((chunk) => chunk.length)).toEqual([64, 64, 64, 8]);
    expect(chunks.flat()).toEqual(sites.flatMap((site) => site.names));
    expect(
      preflightChunks([
        { id: 'a', names: ['a.eu'] },
        { id: 'b', names: ['a.eu', 'b.eu'] },
      ]),
    ).toEqual([['a.eu', 'b.eu']]);
    expect(preflightChunks([])).toEqual([]);
  });

  it('a full run fits what the socket proxy matches of an exec (no quote per target: plain words)', () => {
    const names = Array.from({ length: PREFLIGHT_CHUNK }, (_, index) => `a-rather-long-site-name-${index}.subdomain.example.org`);
    const targets = preflightTargets(names, 'certkit-preflight-0123456789ab', '172.18.0.5');
    const argv = ['python3', '-c', PREFLIGHT_SCRIPT, ...preflightArgs('/var/www/certbot/x', 'f'.repeat(32), targets)];
    const body = JSON.stringify({ AttachStdin: false, AttachStdout: true, AttachStderr: true, Cmd: argv });
    expect(bodyFits(body)).toBe(true);
  });
});

describe("preflightFailures: each site's own failed names", () => {
  const sites = [
    { id: 'shop', names: ['shop.eu', 'www.shop.eu'] },
    { id: 'blog', names: ['blog.eu'] },
    { id: 'docs', names: ['docs.eu'] },
  ];
  const answer = (name: string, ok: boolean, detail = ok ? 'HTTP 200' : 'timed out') => [name, { name, ok, detail }] as const;

  it('a site fails for its own names alone; the others pass', () => {
    const answers = new Map([answer('shop.eu', true), answer('www.shop.eu', false), answer('blog.eu', true), answer('docs.eu', true)]);
    expect(preflightFailures(sites, answers, () => 'none')).toEqual(
      new Map([['shop', [{ name: 'www.shop.eu', ok: false, detail: 'timed out' }]]]),
    );
  });

  it('a name no run answered for fails, with the reason given', () => {
    const answers = new Map([answer('shop.eu', true), answer('www.shop.eu', true), answer('blog.eu', true)]);
    expect(preflightFailures(sites, answers, (name) => `no answer for ${name}`)).toEqual(
      new Map([['docs', [{ name: 'docs.eu', ok: false, detail: 'no answer for docs.eu' }]]]),
    );
  });
});

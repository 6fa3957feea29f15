import { describe, expect, it } from 'vitest';
import { checkRenewalConf, parseRenewalConf } from '../../../src/store/renewal-conf.js';
import type { StoreEntry } from '../../../src/store/snapshot.js';
import { indexLineages } from '../../../src/store/store-layout.js';
import { renderRenewalConf } from '../../fixtures/store-fixtures.js';

const entry = (type: StoreEntry['type']): StoreEntry => ({ type, mode: 0o644, uid: 0, gid: 0, size: 0, mtime: new Date(0) });

describe('renewal conf', () => {
  it('parses top-level keys, [renewalparams] and nested [[webroot_map]]', () => {
    const conf = parseRenewalConf(renderRenewalConf('a.test', ['a.test', 'www.a.test']));
    expect(conf.paths['archive_dir']).toBe('/etc/letsencrypt/archive/a.test');
    expect(conf).toMatchObject({
      version: '2.1.0',
      authenticator: 'webroot',
      server: 'https://acme-v02.api.letsencrypt.org/directory',
      keyType: 'ecdsa',
      profile: undefined,
      account: '0123456789abcdef0123456789abcdef',
      webrootPaths: ['/var/www/html'],
    });
  });

  it('reports files the conf points at that are missing or belong to another lineage', () => {
    const text = renderRenewalConf('a.test', ['a.test']).replace('live/a.test/chain.pem', 'live/b.test/chain.pem');
    const snapshot = new Map([
      ['renewal/a.test.conf', { ...entry('file'), content: Buffer.from(text) }],
      ['live/a.test', entry('directory')],
      ['live/a.test/cert.pem', entry('symlink')],
    ]);
    const lineage = indexLineages(snapshot).get('a.test');
    if (lineage === undefined) throw new Error('lineage not indexed');
    const problems = checkRenewalConf(snapshot, lineage, parseRenewalConf(text));
    expect(problems).toEqual([
      expect.stringContaining("chain = /etc/letsencrypt/live/b.test/chain.pem, but this certificate's file is …/live/a.test/chain.pem"),
      expect.stringContaining('fullchain = /etc/letsencrypt/live/a.test/fullchain.pem, which does not exist'),
      expect.stringContaining('privkey = /etc/letsencrypt/live/a.test/privkey.pem, which does not exist'),
      expect.stringContaining('archive_dir = /etc/letsencrypt/archive/a.test, which does not exist'),
    ]);
  });
});

describe('renewal conf profile', () => {
  it('reads the required profile first, then the preferred one, and ignores None', () => {
    expect(parseRenewalConf('[renewalparams]\nrequired_profile = shortlived\npreferred_profile = classic\n').profile).toBe('shortlived');
    expect(parseRenewalConf('[renewalparams]\npreferred_profile = tlsserver\n').profile).toBe('tlsserver');
    expect(parseRenewalConf('[renewalparams]\nrequired_profile = None\n').profile).toBeUndefined();
    expect(parseRenewalConf('version = 2.1.0\n[renewalparams]\nauthenticator = webroot\n').profile).toBeUndefined();
  });
});

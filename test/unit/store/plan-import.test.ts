import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readDirSnapshot } from '../../../src/store-io/read-dir-snapshot.js';
import { parseRenewalConf } from '../../../src/store/renewal-conf.js';
import { planImport } from '../../../src/store/plan-import.js';
import type { StoreEntry, StoreSnapshot } from '../../../src/store/snapshot.js';
import { buildStore, type StoreFixture } from '../../fixtures/store-fixtures.js';

const dir = (): StoreEntry => ({ type: 'directory', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: new Date(0) });
const file = (content: string): StoreEntry => ({ ...dir(), type: 'file', mode: 0o644, content: Buffer.from(content) });

describe('planImport: what `certkit import` writes into certkit store', () => {
  let fixture: StoreFixture | undefined;
  afterEach(async () => fixture?.remove());

  const source = async (): Promise<StoreSnapshot> => {
    fixture = await buildStore([{ name: 'a.test', domains: ['a.test'], versions: 2, keyMode: 0o644 }]);
    const account = join(fixture.root, 'accounts/acme.test/directory/0123');
    await mkdir(account, { recursive: true });
    await writeFile(join(account, 'private_key.json'), '{"k":1}', { mode: 0o440 });
    await writeFile(join(account, 'regr.json'), '{}', { mode: 0o644 });
    await mkdir(join(fixture.root, 'renewal-hooks/deploy'), { recursive: true });
    await writeFile(join(fixture.root, 'renewal-hooks/deploy/reload.sh'), 'systemctl reload nginx\n');
    return readDirSnapshot(fixture.root, { keepContent: () => true });
  };

  it('takes links, every version, the adapted renewal conf and accounts, in an order that writes targets first', async () => {
    const plan = planImport(await source(), new Map(), { force: false, stamp: 'S' });
    const paths = plan.entries.map((entry) => entry.path);
    expect(plan.lineages).toEqual(['a.test']);
    expect(paths).toEqual(expect.arrayContaining(['archive/a.test/cert1.pem', 'archive/a.test/cert2.pem', 'renewal/a.test.conf']));
    expect(paths).toContain('accounts/acme.test/directory/0123/private_key.json');
    const link = plan.entries.find((entry) => entry.path === 'live/a.test/cert.pem');
    expect(link).toMatchObject({ type: 'symlink', linkTarget: '../../archive/a.test/cert2.pem' });
    expect(paths.indexOf('archive/a.test/cert2.pem')).toBeLessThan(paths.indexOf('live/a.test/cert.pem'));
    expect(paths.indexOf('archive/a.test')).toBeLessThan(paths.indexOf('archive/a.test/cert2.pem'));
    expect(plan.skipped).toEqual([expect.stringMatching(/^renewal-hooks\/deploy\/reload\.sh \(/)]);
    expect(paths.some((path) => path.startsWith('keys') || path.startsWith('csr'))).toBe(false);
  });

  it('writes private keys 0600 at most, keeps stricter modes and certificates as they are', async () => {
    const plan = planImport(await source(), new Map(), { force: false, stamp: 'S' });
    const mode = (path: string) => plan.entries.find((entry) => entry.path === path)?.mode;
    expect(mode('archive/a.test/privkey1.pem')).toBe(0o600);
    expect(mode('accounts/acme.test/directory/0123/private_key.json')).toBe(0o400);
    expect(mode('archive/a.test/cert1.pem')).toBe(0o644);
  });

  it('rewrites the renewal conf for the certbot container', async () => {
    const plan = planImport(await source(), new Map(), { force: false, stamp: 'S' });
    const conf = plan.entries.find((entry) => entry.path === 'renewal/a.test.conf')?.content?.toString('utf8') ?? '';
    expect(parseRenewalConf(conf)).toMatchObject({ webrootPaths: ['/var/www/certbot'], deployHook: '/etc/certkit/certbot/deploy-hook.sh' });
    expect(plan.confChanges).toContain('a.test: renewalparams.webroot_path: /var/www/html, → /var/www/certbot,');
  });

  it('reports a lineage of the same name as a conflict; with force sets it aside, and keeps accounts the store has', async () => {
    const target: StoreSnapshot = new Map([
      ['live', dir()],
      ['live/a.test', dir()],
      ['renewal', dir()],
      ['renewal/a.test.conf', file('x')],
      ['live/README', file('readme')],
      ['accounts/acme.test/directory/0123/regr.json', file('{"old":1}')],
    ]);
    const refused = planImport(await source(), target, { force: false, stamp: 'S' });
    expect(refused.conflicts).toEqual(['a.test']);
    expect(refused.setAside).toEqual([]);
    const forced = planImport(await source(), target, { force: true, stamp: 'S' });
    expect(forced.setAside).toEqual([
      { from: 'live/a.test', to: 'certkit-replaced/S/live/a.test' },
      { from: 'renewal/a.test.conf', to: 'certkit-replaced/S/renewal/a.test.conf' },
    ]);
    const paths = forced.entries.map((entry) => entry.path);
    expect(paths).not.toContain('accounts/acme.test/directory/0123/regr.json');
    expect(paths).not.toContain('live/README');
    expect(paths).toContain('accounts/acme.test/directory/0123/private_key.json');
  });
});

import { describe, expect, it } from 'vitest';
import { restoreStore } from '../../../src/store-io/restore-store.js';
import { backupFile, CERTBOT, EMPTY_STORE, fakeEngine, stagedEntries, untar, VALID } from '../support/restore-archives.js';

describe('restoreStore into an empty store', () => {
  it('stages one archive in /etc/letsencrypt, names stripped of letsencrypt/, hardlinks after their targets, then swaps it in', async () => {
    const { engine, puts, execs } = fakeEngine(EMPTY_STORE);
    expect(await restoreStore(engine, CERTBOT, await backupFile(VALID), { overwrite: false })).toEqual({ entries: 7, lineages: 1 });
    expect(puts.map((put) => put.path)).toEqual(['/etc/letsencrypt']);
    const written = await stagedEntries(puts[0]);
    const stage = (await untar(puts[0]?.tar ?? Buffer.alloc(0)))[0]?.name.replace(/\/$/, '');
    expect(execs).toEqual([
      ['python3', '-c', expect.any(String), 'swap', '/etc/letsencrypt', stage, expect.stringMatching(/^\.certkit-replaced-/)],
    ]);
    expect(written.map((entry) => entry.name.replace(/\/$/, ''))).toEqual(
      VALID.slice(1).map((entry) => entry.name.replace(/^letsencrypt\//, '').replace(/\/$/, '')),
    );
    expect(written.find((entry) => entry.name === 'live/x/cert.pem')).toMatchObject({
      type: 'symlink',
      linkname: '../../archive/x/cert1.pem',
    });
    expect(written.find((entry) => entry.name === 'archive/x/privkey1.pem')?.content).toBe('KEY');
    const names = written.map((entry) => entry.name);
    for (const [index, entry] of written.entries()) {
      if (entry.type !== 'link') continue;
      expect(entry.linkname).toBe('archive/x/privkey1.pem');
      expect(names.indexOf(entry.linkname ?? '')).toBeLessThan(index);
    }
  });
});

describe('restoreStore takes names as the archive means them', () => {
  it('a name over 100 bytes (a PAX path record) is written under its store path, not under letsencrypt/ again', async () => {
    const long = `archive/${'a'.repeat(120)}/cert1.pem`;
    const { engine, puts } = fakeEngine(EMPTY_STORE);
    const file = await backupFile([...VALID, { name: `letsencrypt/${long}`, type: 'file', content: 'LONG' }]);
    await restoreStore(engine, CERTBOT, file, { overwrite: false });
    const written = await stagedEntries(puts[0]);
    expect(written.find((entry) => entry.content === 'LONG')?.name).toBe(long);
    expect(written.map((entry) => entry.name).filter((name) => name.startsWith('letsencrypt'))).toEqual([]);
  });

  it('entries named ./live/… (tar -C /etc/letsencrypt .) and a folder wrapping them without its own entry', async () => {
    const { engine, puts } = fakeEngine(EMPTY_STORE);
    const dotted = VALID.slice(1).map((entry) => ({
      ...entry,
      name: entry.name.replace(/^letsencrypt\//, './'),
      ...(entry.type === 'link' ? { linkname: (entry.linkname ?? '').replace(/^letsencrypt\//, './') } : {}),
    }));
    await restoreStore(engine, CERTBOT, await backupFile([{ name: './', type: 'directory' }, ...dotted]), { overwrite: false });
    expect((await stagedEntries(puts[0])).map((entry) => entry.name.replace(/\/$/, ''))).toContain('live/x/cert.pem');
    const wrapped = fakeEngine(EMPTY_STORE);
    await restoreStore(wrapped.engine, CERTBOT, await backupFile(VALID.slice(1)), { overwrite: false });
    expect((await stagedEntries(wrapped.puts[0])).map((entry) => entry.name)).toContain('renewal/x.conf');
  });

  it('entries of `tar czf b.tgz /etc/letsencrypt` (etc/letsencrypt/…, with an etc/ folder entry) land in the store', async () => {
    const { engine, puts } = fakeEngine(EMPTY_STORE);
    const nested = VALID.map((entry) => ({
      ...entry,
      name: `etc/${entry.name}`,
      ...(entry.type === 'link' ? { linkname: `etc/${entry.linkname ?? ''}` } : {}),
    }));
    await restoreStore(engine, CERTBOT, await backupFile([{ name: 'etc/', type: 'directory' }, ...nested]), { overwrite: false });
    const names = (await stagedEntries(puts[0])).map((entry) => entry.name.replace(/\/$/, ''));
    expect(names).toEqual(VALID.slice(1).map((entry) => entry.name.replace(/^letsencrypt\//, '').replace(/\/$/, '')));
  });

  it('a path given twice is written once, as its last entry says', async () => {
    const { engine, puts } = fakeEngine(EMPTY_STORE);
    await restoreStore(
      engine,
      CERTBOT,
      await backupFile([...VALID, { name: 'letsencrypt/renewal/x.conf', type: 'file', content: 'version = 5.5.0\n' }]),
      {
        overwrite: false,
      },
    );
    const confs = (await stagedEntries(puts[0])).filter((entry) => entry.name === 'renewal/x.conf');
    expect(confs.map((entry) => entry.content)).toEqual(['version = 5.5.0\n']);
  });
});

describe('restoreStore is all or nothing', () => {
  it('a write that fails half-way (the engine, a full disk) removes the staged copy and never swaps', async () => {
    const { engine, execs } = fakeEngine(EMPTY_STORE, { failPut: 2048 });
    const error = await restoreStore(engine, CERTBOT, await backupFile(VALID), { overwrite: true }).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(
      /restore failed while writing the backup into ck-certbot-1 \(.*no space left on device\); the store was left as it was/,
    );
    expect(execs.map((argv) => argv[3])).toEqual(['discard']);
    expect(execs[0]?.[5]).toMatch(/^\.certkit-restore-[0-9a-f]{12}$/);
  });

  it('a staged copy that cannot be removed is named, so it can be removed by hand', async () => {
    const { engine } = fakeEngine(EMPTY_STORE, { failPut: 2048, failExec: 'discard' });
    const error = await restoreStore(engine, CERTBOT, await backupFile(VALID), { overwrite: true }).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(
      /Remove the half-written copy by hand: \/etc\/letsencrypt\/\.certkit-restore-[0-9a-f]{12} \(OSError/,
    );
  });

  it('a swap that fails says so', async () => {
    const { engine } = fakeEngine(EMPTY_STORE, { failExec: 'swap' });
    const error = await restoreStore(engine, CERTBOT, await backupFile(VALID), { overwrite: true }).catch((caught: unknown) => caught);
    expect((error as Error).message).toContain('could not put it in place: OSError: [Errno 5] Input/output error');
  });
});

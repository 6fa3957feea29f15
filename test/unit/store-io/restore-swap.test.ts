import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { SWAP_SCRIPT } from '../../../src/store-io/restore-swap.js';

const run = promisify(execFile);

// The script the certbot container runs, run here by this machine's python3 on a folder laid out as a store.
async function swap(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('python3', ['-c', SWAP_SCRIPT, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

async function storeWithStage(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'certkit-swap-'));
  onTestFinished(() => rm(root, { recursive: true, force: true }));
  await mkdir(join(root, 'live/old'), { recursive: true });
  await symlink('../../archive/old/cert1.pem', join(root, 'live/old/cert.pem'));
  await mkdir(join(root, 'renewal'));
  await writeFile(join(root, 'renewal/old.conf'), 'old\n');
  await writeFile(join(root, 'cli.ini'), 'old\n');
  await mkdir(join(root, '.certkit-restore-aaaa/live/new'), { recursive: true });
  await symlink('../../archive/new/cert1.pem', join(root, '.certkit-restore-aaaa/live/new/cert.pem'));
  await mkdir(join(root, '.certkit-restore-aaaa/renewal'));
  await writeFile(join(root, '.certkit-restore-aaaa/renewal/new.conf'), 'new\n');
  return root;
}

describe('the swap script restore runs in the certbot container', () => {
  it('replaces every name of the store by the staged ones and removes the old ones', async () => {
    const root = await storeWithStage();
    const result = await swap('swap', root, '.certkit-restore-aaaa', '.certkit-replaced-aaaa');
    expect(result).toMatchObject({ code: 0, stdout: '' });
    expect((await readdir(root)).sort()).toEqual(['live', 'renewal']);
    expect(await readdir(join(root, 'live'))).toEqual(['new']);
    expect(await readlink(join(root, 'live/new/cert.pem'))).toBe('../../archive/new/cert1.pem');
    expect(await readFile(join(root, 'renewal/new.conf'), 'utf8')).toBe('new\n');
  });

  it('puts the old store back when moving the staged names in fails part-way', async () => {
    const root = await storeWithStage();
    const before = (await readdir(root)).sort();
    // A staged folder that is gone by the time it is read: every old name has been moved aside by then.
    const result = await swap('swap', root, '.certkit-restore-gone', '.certkit-replaced-aaaa');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the previous store was put back');
    expect((await readdir(root)).sort()).toEqual(before);
    expect(await readFile(join(root, 'renewal/old.conf'), 'utf8')).toBe('old\n');
    expect(await readlink(join(root, 'live/old/cert.pem'))).toBe('../../archive/old/cert1.pem');
  });

  it('discards a staged copy, and nothing else', async () => {
    const root = await storeWithStage();
    expect((await swap('discard', root, '.certkit-restore-aaaa')).code).toBe(0);
    expect((await readdir(root)).sort()).toEqual(['cli.ini', 'live', 'renewal']);
    expect((await swap('discard', root, '.certkit-restore-aaaa')).code).toBe(0);
  });
});

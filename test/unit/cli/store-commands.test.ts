import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { run } from '../../../src/cli/main.js';
import type { LineageSpec } from '../../fixtures/store-fixtures.js';
import { buildStore, FIXTURE_NOW } from '../../fixtures/store-fixtures.js';

/** Runs the certkit command in-process, as `certkit ARGV`, capturing both streams. */
async function certkit(argv: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await run(argv, {
    env: {},
    cwd,
    now: () => FIXTURE_NOW,
    stdout: (text) => stdout.push(text),
    stderr: (text) => stderr.push(text),
  });
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

async function store(specs: LineageSpec[]): Promise<string> {
  const fixture = await buildStore(specs);
  onTestFinished(() => fixture.remove());
  return fixture.root;
}

const HEALTHY: LineageSpec = { name: 'good.test', domains: ['good.test', 'www.good.test'] };

describe('certkit status --store', { timeout: 30_000 }, () => {
  it('prints every field as JSON and exits 0 for a healthy store', async () => {
    const root = await store([HEALTHY]);
    const result = await certkit(['status', '--store', root, '--json'], '/');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const entries = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      name: 'good.test',
      domains: ['good.test', 'www.good.test'],
      live: 'ok',
      deployed: 'unknown',
      served: null,
      problems: [],
    });
    expect(entries[0]?.['notAfter']).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(entries[0]?.['daysLeft']).toEqual(expect.any(Number));
    expect(entries[0]?.['serial']).toMatch(/^[0-9a-f]+$/i);
  });

  it('resolves a relative --store against the working folder and prints a table', async () => {
    const root = await store([HEALTHY]);
    const result = await certkit(['status', '--store', '.'], root);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^NAME\s+DOMAINS/);
    expect(result.stdout).toContain('good.test,www.good.test');
  });

  it('exits 1 and names the problem when live/ holds regular files instead of links', async () => {
    const root = await store([{ ...HEALTHY, live: 'copies' }]);
    const result = await certkit(['status', '--store', root, '--json'], '/');
    expect(result.code).toBe(1);
    const [entry] = JSON.parse(result.stdout) as Array<{ live: string; problems: string[] }>;
    expect(entry?.live).not.toBe('ok');
    expect(entry?.problems.join('\n')).toContain('live/good.test');
  });
});

describe('certkit doctor --store', { timeout: 30_000 }, () => {
  it('lists the repairs and exits 1; --fix applies them and status is clean afterwards', async () => {
    const root = await store([{ ...HEALTHY, live: 'copies' }]);
    const dry = await certkit(['doctor', '--store', root], '/');
    expect(dry.code).toBe(1);
    expect(dry.stdout).toMatch(/^problems \(\d+\):/);
    expect(dry.stdout).toContain('doctor --fix would:');
    expect(await certkit(['status', '--store', root], '/')).toMatchObject({ code: 1 });

    const fix = await certkit(['doctor', '--store', root, '--fix'], '/');
    expect(fix.code).toBe(0);
    expect(fix.stdout).toContain('changes made:');
    expect(fix.stdout).not.toContain('still wrong');
    expect(await certkit(['status', '--store', root], '/')).toMatchObject({ code: 0 });
    expect(await certkit(['doctor', '--store', root], '/')).toMatchObject({ code: 0, stdout: 'no problems found\n' });
  });
});

describe('certkit prune --store', { timeout: 30_000 }, () => {
  it('lists old versions with --keep 1, removes them with --yes, and leaves a clean store', async () => {
    const root = await store([{ ...HEALTHY, versions: 3 }]);
    const archive = join(root, 'archive', 'good.test');
    const listed = await certkit(['prune', '--store', root, '--keep', '1'], '/');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('would remove 8 file(s) (run again with --yes)');
    expect(listed.stdout).toContain('archive/good.test/cert1.pem');
    expect(listed.stdout).toContain('good.test: keeps version(s) 3');
    expect((await readdir(archive)).length).toBe(12);

    const removed = await certkit(['prune', '--store', root, '--keep', '1', '--yes'], '/');
    expect(removed).toMatchObject({ code: 0 });
    expect(removed.stdout).toContain('removed 8 file(s)');
    expect((await readdir(archive)).sort()).toEqual(['cert3.pem', 'chain3.pem', 'fullchain3.pem', 'privkey3.pem']);
    expect(await certkit(['status', '--store', root], '/')).toMatchObject({ code: 0 });
    expect((await certkit(['prune', '--store', root, '--keep', '1'], '/')).stdout).toMatch(/^nothing to prune/);
  });

  it('refuses --keep 0 and a non-number with exit 2, removing nothing', async () => {
    const root = await store([{ ...HEALTHY, versions: 2 }]);
    const zero = await certkit(['prune', '--store', root, '--keep', '0', '--yes'], '/');
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('at least 1');
    expect((await readdir(join(root, 'archive', 'good.test'))).length).toBe(8);
    expect((await certkit(['prune', '--store', root, '--keep', 'all'], '/')).code).toBe(2);
  });
});

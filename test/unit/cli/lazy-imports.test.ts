import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * `certkit --help` and a configuration error must not load what only a command's work needs (issue 11: dockerode
 * alone costs about 0.1 s). This follows the static imports from cli/main.ts; `await import(...)` and `import type`
 * are not followed. A command file that fails here: move the import into its action as `await import(...)`.
 */
const src = resolve(dirname(fileURLToPath(import.meta.url)), '../../../src');
const LOADED_AT_START = new Set(['commander']);

async function staticImports(file: string): Promise<{ local: string[]; packages: string[] }> {
  const text = await readFile(file, 'utf8');
  const local: string[] = [];
  const packages: string[] = [];
  for (const match of text.matchAll(/^import\s+(?!type\b)[^;]*?from\s+'([^']+)';/gms)) {
    const target = match[1]!;
    if (target.startsWith('.')) local.push(join(dirname(file), target.replace(/\.js$/, '.ts')));
    else if (!target.startsWith('node:')) packages.push(target);
  }
  return { local, packages };
}

/** Every package reached from `entry` by static imports, with one file that imports it. */
async function packagesReached(entry: string): Promise<Map<string, string>> {
  const packages = new Map<string, string>();
  const seen = new Set<string>();
  const queue = [join(src, entry)];
  for (let file = queue.pop(); file; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const imports = await staticImports(file);
    for (const name of imports.packages) if (!packages.has(name)) packages.set(name, file.slice(src.length + 1));
    queue.push(...imports.local);
  }
  return packages;
}

describe('what the CLI loads before a command runs', () => {
  it('is commander alone: other packages are imported inside the command that uses them', async () => {
    const extra = [...(await packagesReached('cli/main.ts'))].filter(([name]) => !LOADED_AT_START.has(name));
    expect(extra.map(([name, file]) => `${name} (imported by ${file})`)).toEqual([]);
  });

  it('would see a heavy package imported a few files down', async () => {
    const reached = await packagesReached('update/update.ts');
    expect([...reached.keys()]).toEqual(expect.arrayContaining(['zod', 'handlebars']));
  });
});

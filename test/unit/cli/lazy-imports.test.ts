import type { Metafile } from 'esbuild';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleCli } from '../../../tools/bundle.js';

/**
 * `certkit --help` and a configuration error must not load what only a command's work needs (issue 11: dockerode
 * alone costs about 0.1 s, zod some 20 ms even bundled). bin/certkit.js runs the esbuild bundle (tools/bundle.js), so
 * this asks esbuild itself, through the bundle's metafile (nothing is written): which code the entry chunk loads before
 * any `await import(...)` runs, and what a command's action loads. A failure here: move the import named into the
 * action that needs it, as `await import(...)`.
 */
const LOADED_AT_START = new Set(['commander']);

let metafile: Metafile;
beforeAll(async () => {
  metafile = (await bundleCli({ write: false })).metafile;
}, 30_000);

function packageOf(input: string): string | undefined {
  const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  return match?.[1];
}

/** Packages in the chunks node loads with the entry chunk (static imports between chunks), and external ones. */
function packagesInStartChunks(): string[] {
  const [entry] = Object.keys(metafile.outputs).filter((path) => metafile.outputs[path]!.entryPoint === 'src/cli/main.ts');
  const packages = new Set<string>();
  const queue = [entry!];
  const seen = new Set<string>();
  for (let path = queue.pop(); path !== undefined; path = queue.pop()) {
    if (seen.has(path)) continue;
    seen.add(path);
    const output = metafile.outputs[path]!;
    for (const input of Object.keys(output.inputs)) {
      const name = packageOf(input);
      if (name) packages.add(name);
    }
    for (const imported of output.imports) {
      if (imported.kind === 'dynamic-import') continue;
      if (imported.external) {
        if (!imported.path.startsWith('node:')) packages.add(imported.path);
      } else queue.push(imported.path);
    }
  }
  return [...packages].sort();
}

/**
 * Every package reached by static imports from `input`, with one source file that imports it; `dynamicFirst` follows
 * the file's own `await import(...)` once (a command's action) before following static imports only.
 */
function packagesReached(input: string, options: { dynamicFirst?: boolean } = {}): Map<string, string> {
  const packages = new Map<string, string>();
  const seen = new Set<string>();
  const start = options.dynamicFirst
    ? metafile.inputs[input]!.imports.filter((imported) => imported.kind === 'dynamic-import').map((imported) => imported.path)
    : [input];
  const queue = [...start];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const imported of metafile.inputs[file]?.imports ?? []) {
      if (imported.kind === 'dynamic-import' || imported.path.startsWith('node:')) continue;
      const name = imported.external ? imported.path : packageOf(imported.path);
      if (name === undefined) queue.push(imported.path);
      else if (!packages.has(name)) packages.set(name, file);
    }
  }
  return packages;
}

describe('what the CLI bundle loads before a command runs', () => {
  it('is commander alone: other packages are imported inside the command that uses them', () => {
    const extra = packagesInStartChunks().filter((name) => !LOADED_AT_START.has(name));
    const importers = packagesReached('src/cli/main.ts');
    expect(extra.map((name) => `${name} (imported by ${importers.get(name) ?? '?'})`)).toEqual([]);
  });

  it('would see a heavy package imported a few files down, bundled or external', () => {
    expect(packagesInStartChunks()).toEqual(['commander']);
    const reached = packagesReached('src/update/update.ts');
    expect([...reached.keys()]).toEqual(expect.arrayContaining(['zod', 'handlebars']));
  });

  it('status --store reads a folder without Docker, zod, tar-stream or Handlebars loaded', () => {
    const reached = packagesReached('src/cli/commands/status.ts', { dynamicFirst: true });
    expect([...reached].filter(([name]) => name !== 'commander').map(([name, file]) => `${name} (imported by ${file})`)).toEqual([]);
  });
});

describe('what the CLI bundle leaves out of dockerode and handlebars', () => {
  it('has no ssh2 (nor its native cpu-features), no BuildKit session (gRPC, protobuf), no source-map: stubs stand in', () => {
    const inputs = Object.keys(metafile.inputs);
    const leftOut = ['ssh2', 'cpu-features', 'asn1', '@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs', 'source-map'];
    expect(inputs.filter((input) => leftOut.includes(packageOf(input) ?? ''))).toEqual([]);
    expect(inputs.filter((input) => /dockerode\/lib\/(session|buildkit)\.js$/.test(input))).toEqual([]);
    expect(inputs).toEqual(
      expect.arrayContaining([
        'tools/bundle-stubs/ssh2.cjs',
        'tools/bundle-stubs/dockerode-unused.cjs',
        'tools/bundle-stubs/source-map.cjs',
      ]),
    );
    // handlebars from its compiled build, not the package's entry (a require.extensions hook).
    expect(inputs.filter((input) => packageOf(input) === 'handlebars' && !input.includes('/dist/cjs/'))).toEqual([]);
    expect(inputs.some((input) => packageOf(input) === 'dockerode')).toBe(true);
  });

  it('says so if a stub is ever reached', async () => {
    const require = createRequire(import.meta.url);
    const ssh2 = require('../../../tools/bundle-stubs/ssh2.cjs') as { Client: new () => unknown };
    const unused = require('../../../tools/bundle-stubs/dockerode-unused.cjs') as (() => unknown) & { followProgress: () => unknown };
    expect(() => new ssh2.Client()).toThrow(/does not reach Docker over ssh.*DOCKER_HOST=unix:\/\/ or tcp:\/\//);
    expect(() => unused()).toThrow(/does not build images/);
    expect(() => unused.followProgress()).toThrow(/does not build images/);
    expect(() => require('../../../tools/bundle-stubs/source-map.cjs') as unknown).toThrow(/left out/);
  });
});

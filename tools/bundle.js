// `npm run build` runs this after tsc: it bundles the CLI (src/cli/main.ts) into dist/bundle/ with esbuild, which
// bin/certkit.js runs. Loading a few chunks instead of fifty-odd ES modules (zod alone is some eighty) halves
// certkit's own share (beyond `node -e 0`) of `certkit --help` and of a configuration error (issue 11). dist/ from
// tsc stays the library.
//
// Code splitting keeps each command's `await import(...)` lazy: what only a command's action needs sits in its own
// chunk, loaded when that action runs. Packages with native parts or requires esbuild cannot follow stay external and
// load from node_modules: dockerode (ssh2, cpu-features), handlebars (require.extensions), prom-client.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE_DIR = join(ROOT, 'dist', 'bundle');
export const EXTERNAL_PACKAGES = ['dockerode', 'handlebars', 'prom-client'];

// The CommonJS packages bundled in (commander, dotenv, shell-quote, tar-stream) call require() for node's own modules;
// an ES module has no require of its own, so each chunk gets one.
const REQUIRE_BANNER =
  "import { createRequire as __certkitCreateRequire } from 'node:module'; const require = __certkitCreateRequire(import.meta.url);";

/** Bundles the CLI into `outdir`; with `write: false` nothing is written and the result holds the files and metafile. */
export function bundleCli({ outdir = BUNDLE_DIR, write = true } = {}) {
  return build({
    absWorkingDir: ROOT,
    entryPoints: { main: join(ROOT, 'src', 'cli', 'main.ts') },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir,
    chunkNames: 'chunk-[hash]',
    external: EXTERNAL_PACKAGES,
    banner: { js: REQUIRE_BANNER },
    sourcemap: true,
    metafile: true,
    write,
    logLevel: write ? 'warning' : 'silent',
  });
}

/** Writes dist/bundle/ afresh: chunk names are content hashes, so an old build's chunks would pile up. */
export async function writeBundle() {
  rmSync(BUNDLE_DIR, { recursive: true, force: true });
  await bundleCli();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await writeBundle();

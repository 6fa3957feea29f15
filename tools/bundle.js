// `npm run build` runs this after tsc: it bundles the CLI (src/cli/main.ts) into dist/bundle/ with esbuild, which
// bin/certkit.js runs. Loading a few chunks instead of fifty-odd ES modules (zod alone is some eighty) halves
// certkit's own share (beyond `node -e 0`) of `certkit --help` and of a configuration error (issue 11). dist/ from
// tsc stays the library.
//
// Code splitting keeps each command's `await import(...)` lazy: what only a command's action needs sits in its own
// chunk, loaded when that action runs. prom-client stays external and loads from node_modules. handlebars is bundled
// from its compiled build (dist/cjs/handlebars.js), without the package's entry, which only adds a require.extensions
// hook for .hbs files that certkit does not use, nor the source-map package its code generator tries to require (it
// falls back to its own when that throws): loading it took 40 ms, bundled 13.
//
// dockerode is bundled, without what certkit never uses and dockerode loads anyway (two hundred-odd modules, 0.2 to
// 0.5 s of every command that talks to Docker): ssh2 (docker-modem requires it for DOCKER_HOST=ssh://, which certkit
// refuses; with it go asn1, tweetnacl and cpu-features' native addon) and dockerode's BuildKit session (gRPC, protobuf).
// Each is replaced by a stub in tools/bundle-stubs/ that throws a clear error if it is ever called.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE_DIR = join(ROOT, 'dist', 'bundle');
export const EXTERNAL_PACKAGES = ['prom-client'];
const STUBS = join(ROOT, 'tools', 'bundle-stubs');

const inPackage = (name, dir) => new RegExp(`[\\\\/]node_modules[\\\\/]${name}[\\\\/]`).test(`${dir}/`);

/** ssh2, dockerode's BuildKit modules and handlebars' source-map resolve to the stubs (see above). */
const leaveOutUnused = {
  name: 'certkit-leave-out-unused',
  setup(builder) {
    builder.onResolve({ filter: /^ssh2$/ }, () => ({ path: join(STUBS, 'ssh2.cjs') }));
    builder.onResolve({ filter: /^\.\/(session|buildkit)$/ }, (args) =>
      inPackage('dockerode', args.resolveDir) ? { path: join(STUBS, 'dockerode-unused.cjs') } : undefined,
    );
    builder.onResolve({ filter: /^source-map$/ }, (args) =>
      inPackage('handlebars', args.resolveDir) ? { path: join(STUBS, 'source-map.cjs') } : undefined,
    );
    builder.onResolve({ filter: /^handlebars$/ }, () => ({
      path: join(ROOT, 'node_modules', 'handlebars', 'dist', 'cjs', 'handlebars.js'),
    }));
  },
};

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
    plugins: [leaveOutUnused],
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

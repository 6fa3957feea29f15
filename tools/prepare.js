// `npm ci` runs this (the `prepare` script) so that `npx certkit` works right after it: it builds dist/ (tsc) and the
// CLI bundle in dist/bundle/ (tools/bundle.js), as `npm run build` does.
// A production install (`npm ci --omit=dev`) has neither TypeScript nor esbuild; then dist/ must come from elsewhere
// (a release, or the image build), so this says so instead of failing the install.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
let tsc;
try {
  tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
  require.resolve('esbuild');
} catch {
  process.stderr.write(
    'certkit: TypeScript or esbuild is not installed (npm ci --omit=dev?), so dist/ was not built; run `npm ci` then `npm run build`.\n',
  );
  process.exit(0);
}
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
await (await import('./bundle.js')).writeBundle();

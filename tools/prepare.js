// `npm ci` runs this (the `prepare` script) so that `npx certkit` works right after it: it builds dist/.
// A production install (`npm ci --omit=dev`) has no TypeScript; then dist/ must come from elsewhere (a release, or
// the image build), so this says so instead of failing the install.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
let tsc;
try {
  tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
} catch {
  process.stderr.write(
    'certkit: TypeScript is not installed (npm ci --omit=dev?), so dist/ was not built; run `npm ci` then `npm run build`.\n',
  );
  process.exit(0);
}
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });

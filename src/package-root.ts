import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder certkit is installed in (a clone, node_modules/certkit, /opt/certkit in the image): the nearest folder
 * above `from` that holds package.json and templates/. Walked up to rather than written as `../..`, because the same
 * code runs from src/ (vitest), from dist/ (tsc's output, the library) and from dist/bundle/ (the CLI bundle, where
 * every module of src/, whatever its depth, becomes a chunk in one folder). When none is found, `new URL('../..', from)`,
 * where reading templates/ then fails with a message naming the path.
 */
export function packageRoot(from: string | URL = import.meta.url): string {
  const start = dirname(fileURLToPath(from));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'templates'))) return dir;
    if (dirname(dir) === dir) return dirname(dirname(start));
  }
}

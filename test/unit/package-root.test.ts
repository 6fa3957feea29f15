import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package-root.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

describe('packageRoot', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'certkit-root-'));
    await writeFile(join(root, 'package.json'), '{"name":"certkit"}');
    await mkdir(join(root, 'templates'));
    // A folder with package.json but no templates/ on the way up is not the root.
    await mkdir(join(root, 'dist', 'bundle'), { recursive: true });
    await writeFile(join(root, 'dist', 'package.json'), '{"type":"module"}');
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('is this repository when run from src/', () => {
    expect(packageRoot()).toBe(REPO);
  });

  it('is found from any depth: tsc output in dist/render/, a bundle chunk in dist/bundle/', () => {
    expect(packageRoot(pathToFileURL(join(root, 'dist', 'render', 'render-project.js')))).toBe(root);
    expect(packageRoot(pathToFileURL(join(root, 'dist', 'bundle', 'chunk-ABC.js')))).toBe(root);
    expect(packageRoot(pathToFileURL(join(root, 'dist', 'package-root.js')))).toBe(root);
  });

  it('falls back to two folders up when nothing above holds package.json and templates/', () => {
    expect(packageRoot(pathToFileURL('/nowhere-certkit/a/b/file.js'))).toBe('/nowhere-certkit');
  });
});

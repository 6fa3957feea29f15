import type { BuildResult } from 'esbuild';
export const ROOT: string;
export const BUNDLE_DIR: string;
export const EXTERNAL_PACKAGES: readonly string[];
export function bundleCli(options?: { outdir?: string; write?: boolean }): Promise<BuildResult<{ metafile: true }>>;
export function writeBundle(): Promise<void>;

import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { parse } from 'dotenv';

const run = promisify(execFile);

declare module 'vitest' {
  export interface ProvidedContext {
    /** Why e2e cannot run here (no Docker engine), or '' when it can. */
    dockerMissing: string;
    images: Record<string, string>;
    composeCommand: string[];
  }
}

/**
 * E2E needs a Docker engine. Without one the e2e tier fails under CI=true (a CI run that cannot prove the product
 * must not pass) and is skipped with a one-line reason elsewhere. With one, the stand-in images are built or reused.
 */
export default async function setup(project: TestProject): Promise<void> {
  const missing = await dockerProblem();
  if (missing) {
    if (process.env['CI'] === 'true') throw new Error(`e2e: ${missing} (CI=true: failing instead of skipping)`);
    process.stderr.write(`e2e skipped: ${missing}\n`);
    project.provide('dockerMissing', missing);
    project.provide('images', {});
    project.provide('composeCommand', []);
    return;
  }
  await run('bash', ['test/images/build.sh'], { maxBuffer: 16 * 1024 * 1024 }).catch((error: { stderr?: string }) => {
    throw new Error(`e2e: building the stand-in images failed:\n${error.stderr ?? JSON.stringify(error)}`);
  });
  const images = parse(await readFile('test/images/images.env', 'utf8'));
  project.provide('dockerMissing', '');
  project.provide('images', images);
  project.provide('composeCommand', await composeCommand());
}

async function dockerProblem(): Promise<string | undefined> {
  try {
    await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 20_000 });
    return undefined;
  } catch (error) {
    const text = String((error as { stderr?: string }).stderr ?? (error as Error).message).trim().split('\n')[0];
    return `no Docker engine answers (${text})`;
  }
}

/** Compose v2 (`docker compose`) when present, else the v1 `docker-compose`; the kit's file works with both. */
async function composeCommand(): Promise<string[]> {
  if (await run('docker', ['compose', 'version']).then(() => true, () => false)) return ['docker', 'compose'];
  if (await run('docker-compose', ['version']).then(() => true, () => false)) return ['docker-compose'];
  throw new Error('e2e: neither `docker compose` nor `docker-compose` is installed');
}

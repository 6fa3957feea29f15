import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { parse } from 'dotenv';

const run = promisify(execFile);

/** The two stacks every e2e file runs on (see vitest.config.ts). */
export type StackName = 'legacy' | 'current';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Which stack this e2e project runs on. */
    stack: StackName;
    /** Why e2e cannot run here (no Docker engine, no Compose), or '' when it can. */
    dockerMissing: string;
    images: Record<string, string>;
    composeCommand: string[];
  }
}

const IMAGES_ENV: Record<StackName, string> = { legacy: 'test/images/images.env', current: 'test/images/images-current.env' };
/** legacy drives Compose v1 (`docker-compose`, as bookworm ships it), current drives v2 (`docker compose`). */
const COMPOSE: Record<StackName, string[]> = { legacy: ['docker-compose'], current: ['docker', 'compose'] };

/**
 * E2E needs a Docker engine and the stack's Compose. Without them the e2e tier fails under CI=true (a CI run that
 * cannot prove the product must not pass) and is skipped with a one-line reason elsewhere. With them, the stack's
 * stand-in images are built or reused.
 */
export default async function setup(project: TestProject): Promise<void> {
  const stack: StackName | undefined = project.config.provide?.['stack'];
  if (stack !== 'legacy' && stack !== 'current') throw new Error(`e2e: project ${project.name} provides no stack (legacy or current)`);
  const missing = (await dockerProblem()) ?? (await composeProblem(COMPOSE[stack]));
  if (missing) {
    if (process.env['CI'] === 'true') throw new Error(`e2e-${stack}: ${missing} (CI=true: failing instead of skipping)`);
    process.stderr.write(`e2e-${stack} skipped: ${missing}\n`);
    project.provide('dockerMissing', missing);
    project.provide('images', {});
    project.provide('composeCommand', []);
    return;
  }
  await run('bash', ['test/images/build.sh', '--stack', stack], { maxBuffer: 16 * 1024 * 1024 }).catch((error: { stderr?: string }) => {
    throw new Error(`e2e-${stack}: building the stand-in images failed:\n${error.stderr ?? JSON.stringify(error)}`);
  });
  project.provide('dockerMissing', '');
  project.provide('images', parse(await readFile(IMAGES_ENV[stack], 'utf8')));
  project.provide('composeCommand', COMPOSE[stack]);
}

async function dockerProblem(): Promise<string | undefined> {
  try {
    await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 20_000 });
    return undefined;
  } catch (error) {
    const text = String((error as { stderr?: string }).stderr ?? (error as Error).message)
      .trim()
      .split('\n')[0];
    return `no Docker engine answers (${text})`;
  }
}

async function composeProblem([command, ...prefix]: string[]): Promise<string | undefined> {
  const ok = await run(command as string, [...prefix, 'version']).then(
    () => true,
    () => false,
  );
  return ok ? undefined : `\`${[command, ...prefix].join(' ')}\` is not installed (bash .ci/run installs it)`;
}

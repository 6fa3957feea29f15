import { basename } from 'node:path';

export interface ProjectName {
  name: string;
  /** Where the name came from, for messages. */
  source: string;
}

/**
 * Resolves the Compose project name the way `docker compose` does: -p/--project-name, then COMPOSE_PROJECT_NAME from
 * the environment, then from `.env`, then the project folder's name, normalized (lowercase; only a-z, 0-9, - and _).
 */
export function resolveProjectName(input: {
  explicit?: string | undefined;
  env: NodeJS.ProcessEnv;
  envFileValue?: string | undefined;
  projectDir: string;
}): ProjectName | undefined {
  const candidates: Array<[string | undefined, string]> = [
    [input.explicit, '--project-name'],
    [input.env['COMPOSE_PROJECT_NAME'], 'COMPOSE_PROJECT_NAME in the environment'],
    [input.envFileValue, 'COMPOSE_PROJECT_NAME in .env'],
    [basename(input.projectDir), `the folder name of ${input.projectDir}`],
  ];
  for (const [raw, source] of candidates) {
    if (raw === undefined || raw.trim() === '') continue;
    const name = normalizeProjectName(raw);
    if (name !== '') return { name, source };
  }
  return undefined;
}

export function normalizeProjectName(raw: string): string {
  return raw
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[^a-z0-9]+/, '');
}

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/config.js';
import { buildRenderContext } from './render-context.js';
import { renderTemplates, writeRenderedFiles } from './render-templates.js';

/** Renders certbot/ and nginx/ in the project folder from its templates; returns the files that changed. */
export async function renderProject(config: Config, projectDir: string, templatesDir = resolveTemplatesDir(projectDir)): Promise<string[]> {
  const files = await renderTemplates(templatesDir, buildRenderContext(config));
  return writeRenderedFiles(projectDir, files);
}

/** The project's own templates/ when it has one (a clone of this repo), else the ones shipped with the package. */
export function resolveTemplatesDir(projectDir: string): string {
  const local = join(projectDir, 'templates');
  if (existsSync(join(local, 'nginx')) && existsSync(join(local, 'certbot'))) return local;
  return fileURLToPath(new URL('../../templates', import.meta.url));
}

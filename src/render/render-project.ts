import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/config.js';
import { packageRoot } from '../package-root.js';
import { buildRenderContext } from './render-context.js';
import { readOutput, renderTemplates, writeRenderedFiles } from './render-templates.js';

/** What a render changed: the files, and what that means for the containers that read them. */
export interface RenderChanges {
  /** Output paths that changed, relative to the project folder ("certbot/deploy-hook.sh"). */
  files: string[];
  certbotScriptsChanged: boolean;
  /** The deploy hook decides how certificates are materialized (mode, owner, file modes): a change means redeploy. */
  deployHookChanged: boolean;
  /** nginx's site files: a change means reload. */
  nginxChanged: boolean;
}

/** Renders certbot/ and nginx/ in the project folder from its templates; reports what changed. */
export async function renderProject(
  config: Config,
  projectDir: string,
  templatesDir = resolveTemplatesDir(projectDir),
): Promise<RenderChanges> {
  const rendered = await renderTemplates(templatesDir, buildRenderContext(config));
  const changed = new Set(await writeRenderedFiles(projectDir, rendered));
  const changedOf = (service: 'certbot' | 'nginx') => rendered.filter((file) => file.service === service && changed.has(file.output));
  return {
    files: [...changed],
    certbotScriptsChanged: changedOf('certbot').length > 0,
    deployHookChanged: changedOf('certbot').some((file) => file.role === 'deploy-hook'),
    nginxChanged: changedOf('nginx').length > 0,
  };
}

/** Renders in memory and compares with the files on disk: what a render would change. Writes nothing. */
export async function checkProject(config: Config, projectDir: string, templatesDir = resolveTemplatesDir(projectDir)): Promise<string[]> {
  const rendered = await renderTemplates(templatesDir, buildRenderContext(config));
  const changed: string[] = [];
  for (const file of rendered) if ((await readOutput(projectDir, file.output)) !== file.content) changed.push(file.output);
  return changed;
}

/** The project's own templates/ when it has one (a clone of this repo), else the ones shipped with the package. */
export function resolveTemplatesDir(projectDir: string): string {
  const local = join(projectDir, 'templates');
  if (existsSync(join(local, 'nginx')) && existsSync(join(local, 'certbot'))) return local;
  return join(packageRoot(), 'templates');
}

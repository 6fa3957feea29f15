import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config/config.js';
import { packageRoot } from '../package-root.js';
import { buildRenderContext } from './render-context.js';
import { DEFAULT_SERVER_FILE, envSiteIsDefault, renderSiteFiles, SITES_FOLDER } from './render-sites.js';
import { renderTemplates, writeRenderedFiles, type RenderedFile } from './render-templates.js';
import type { Site } from '../sites/site.js';

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
  /** The sites beyond the .env one (service labels, the sites file), each rendered into nginx/sites/. */
  otherSites: readonly Site[] = [],
): Promise<RenderChanges> {
  const context = buildRenderContext(config);
  (context.nginx as Record<string, unknown>).isDefault = envSiteIsDefault(config, otherSites);
  const rendered = [...(await renderTemplates(templatesDir, context)), ...(await renderSiteFiles(templatesDir, config, otherSites))];
  const changed = new Set(await writeRenderedFiles(projectDir, rendered));
  for (const stale of await removeStaleSiteFiles(projectDir, rendered)) changed.add(stale);
  const changedOf = (service: 'certbot' | 'nginx') => rendered.filter((file) => file.service === service && changed.has(file.output));
  return {
    files: [...changed],
    certbotScriptsChanged: changedOf('certbot').length > 0,
    deployHookChanged: changedOf('certbot').some((file) => file.role === 'deploy-hook'),
    nginxChanged: changedOf('nginx').length > 0,
  };
}

/** Site files of sites that are gone (and the default server when no other site is left): removed, so nginx drops them. */
async function removeStaleSiteFiles(projectDir: string, rendered: readonly RenderedFile[]): Promise<string[]> {
  const keep = new Set(rendered.map((file) => file.output));
  const present = await readdir(join(projectDir, SITES_FOLDER)).catch(() => [] as string[]);
  const candidates = [...present.filter((name) => name.endsWith('.conf')).map((name) => `${SITES_FOLDER}/${name}`), DEFAULT_SERVER_FILE];
  const removed: string[] = [];
  for (const output of candidates.filter((candidate) => !keep.has(candidate))) {
    const gone = await rm(join(projectDir, output)).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return false;
        throw error;
      },
    );
    if (gone) removed.push(output);
  }
  return removed;
}

/** The project's own templates/ when it has one (a clone of this repo), else the ones shipped with the package. */
export function resolveTemplatesDir(projectDir: string): string {
  const local = join(projectDir, 'templates');
  if (existsSync(join(local, 'nginx')) && existsSync(join(local, 'certbot'))) return local;
  return join(packageRoot(), 'templates');
}

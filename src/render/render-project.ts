import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/config.js';
import { packageRoot } from '../package-root.js';
import { buildRenderContext } from './render-context.js';
import { envSiteIsDefault, renderSiteFiles, SITES_FOLDER } from './render-sites.js';
import { renderTemplates, writeRenderedFiles } from './render-templates.js';
import { removeStaleSiteFiles, retainedSites, touchSiteFiles, type RetainedSite } from './site-files.js';
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
  /** Sites whose declaration went, still served from their files until the grace ends. */
  retained: RetainedSite[];
}

/** The sites beyond the .env one and how long one whose declaration went stays served. */
export interface SiteRendering {
  others: readonly Site[];
  now: Date;
  graceMs: number;
}

/**
 * Renders certbot/ and nginx/ in the project folder from its templates; reports what changed. The other sites each
 * get their two files in nginx/sites/; a site no longer declared keeps its files (nginx serves it) for the grace.
 */
export async function renderProject(
  config: Config,
  projectDir: string,
  templatesDir = resolveTemplatesDir(projectDir),
  /** Without it (`certkit render`, certkit-init), the other sites' files are left as the last run wrote them. */
  sites?: SiteRendering,
): Promise<RenderChanges> {
  const retained = sites
    ? await retainedSites(projectDir, new Set(sites.others.map((site) => site.id)), sites.now, sites.graceMs)
    : await retainedSites(projectDir, new Set(), new Date(0), Number.POSITIVE_INFINITY);
  const context = buildRenderContext(config);
  (context.nginx as Record<string, unknown>).isDefault = envSiteIsDefault(config, (sites?.others.length ?? 0) + retained.length);
  const siteFiles = await renderSiteFiles(templatesDir, config, sites?.others ?? [], retained.length > 0);
  const rendered = [...(await renderTemplates(templatesDir, context)), ...siteFiles];
  const changed = new Set(await writeRenderedFiles(projectDir, rendered));
  if (sites)
    await touchSiteFiles(
      projectDir,
      siteFiles.map((file) => file.output),
      sites.now,
    );
  const keep = new Set([
    ...rendered.map((file) => file.output),
    ...retained.flatMap(({ id }) => [`${SITES_FOLDER}/${id}.http.conf`, `${SITES_FOLDER}/${id}.https.conf`]),
  ]);
  const removed = await removeStaleSiteFiles(projectDir, keep);
  const changedOf = (service: 'certbot' | 'nginx') => rendered.filter((file) => file.service === service && changed.has(file.output));
  return {
    files: [...changed, ...removed],
    certbotScriptsChanged: changedOf('certbot').length > 0,
    deployHookChanged: changedOf('certbot').some((file) => file.role === 'deploy-hook'),
    nginxChanged: changedOf('nginx').length > 0 || removed.length > 0,
    retained,
  };
}

/** The project's own templates/ when it has one (a clone of this repo), else the ones shipped with the package. */
export function resolveTemplatesDir(projectDir: string): string {
  const local = join(projectDir, 'templates');
  if (existsSync(join(local, 'nginx')) && existsSync(join(local, 'certbot'))) return local;
  return join(packageRoot(), 'templates');
}

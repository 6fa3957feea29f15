import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config/config.js';
import { packageRoot } from '../package-root.js';
import { stampConfig, unstampConfig } from './config-stamp.js';
import { buildRenderContext } from './render-context.js';
import { envSiteIsDefault, renderSiteFiles, SITES_FOLDER } from './render-sites.js';
import { readOutput, renderTemplates, writeRenderedFiles, type RenderedFile } from './render-templates.js';
import { removeStaleSiteFiles, retainedSiteNames, retainedSites, touchSiteFiles, type RetainedSite } from './site-files.js';
import { serverNamesHash } from './server-names-hash.js';
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
  /** The stamp of the rendered nginx files: nginx serves it once it runs them (see config-stamp.ts). */
  configStamp: string;
}

/** The sites beyond the .env one and how long one whose declaration went stays served. */
export interface SiteRendering {
  others: readonly Site[];
  now: Date;
  graceMs: number;
}

/** Everything a render would write, decided in memory: the files, the sites kept as they are, the stamp. */
interface RenderPlan {
  rendered: RenderedFile[];
  siteFiles: RenderedFile[];
  retained: RetainedSite[];
  stamp: string;
  /** Every output that stays: rendered files and the kept sites' files. */
  keep: Set<string>;
}

async function planRender(config: Config, projectDir: string, templatesDir: string, sites: SiteRendering | undefined): Promise<RenderPlan> {
  const retained = sites
    ? await retainedSites(projectDir, new Set(sites.others.map((site) => site.id)), sites.now, sites.graceMs)
    : await retainedSites(projectDir, new Set(), new Date(0), Number.POSITIVE_INFINITY);
  const context = buildRenderContext(config);
  const nginx = context.nginx as Record<string, unknown>;
  nginx.isDefault = envSiteIsDefault(config, (sites?.others.length ?? 0) + retained.length);
  // Every name nginx will serve, the kept sites' read from their files: a render without the sites (`certkit
  // render`, where every site on disk is kept) sizes it as the run that wrote them did.
  nginx.serverNamesHash = serverNamesHash([
    ...config.nginx.serverNames,
    ...(sites?.others ?? []).flatMap((site) => site.names),
    ...(await retainedSiteNames(projectDir, retained)),
  ]);
  const siteFiles = await renderSiteFiles(templatesDir, config, sites?.others ?? [], retained.length > 0);
  const all = [...(await renderTemplates(templatesDir, context)), ...siteFiles];
  // One stamp over every nginx file there will be: those rendered now and the site files kept as they are (their
  // stamp read back as the placeholder), so a render with or without the other sites gives the same stamp.
  const kept = await readKeptSiteFiles(projectDir, retained);
  const stamped = stampConfig([...all.filter((file) => file.service === 'nginx'), ...kept]);
  const keptOutputs = new Set(kept.map((file) => file.output));
  const rendered = [...all.filter((file) => file.service !== 'nginx'), ...stamped.files.filter((file) => !keptOutputs.has(file.output))];
  const keep = new Set([...rendered.map((file) => file.output), ...retained.flatMap(({ id }) => siteOutputs(id))]);
  return {
    rendered,
    siteFiles: stamped.files.filter((file) => file.output.startsWith(`${SITES_FOLDER}/`) && !keptOutputs.has(file.output)),
    retained,
    stamp: stamped.stamp,
    keep,
  };
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
  const plan = await planRender(config, projectDir, templatesDir, sites);
  const changed = new Set(await writeRenderedFiles(projectDir, plan.rendered));
  if (sites)
    touchSiteFiles(
      projectDir,
      plan.siteFiles.map((file) => file.output),
      sites.now,
    );
  const removed = await removeStaleSiteFiles(projectDir, plan.keep);
  const changedOf = (service: 'certbot' | 'nginx') => plan.rendered.filter((file) => file.service === service && changed.has(file.output));
  return {
    files: [...changed, ...removed],
    certbotScriptsChanged: changedOf('certbot').length > 0,
    deployHookChanged: changedOf('certbot').some((file) => file.role === 'deploy-hook'),
    nginxChanged: changedOf('nginx').length > 0 || removed.length > 0,
    retained: plan.retained,
    configStamp: plan.stamp,
  };
}

/** Renders in memory and compares with the files on disk: what a render would change. Writes nothing. */
export async function checkProject(config: Config, projectDir: string, templatesDir = resolveTemplatesDir(projectDir)): Promise<string[]> {
  const plan = await planRender(config, projectDir, templatesDir, undefined);
  const changed: string[] = [];
  for (const file of plan.rendered) if ((await readOutput(projectDir, file.output)) !== file.content) changed.push(file.output);
  return changed;
}

function siteOutputs(id: string): string[] {
  return [`${SITES_FOLDER}/${id}.http.conf`, `${SITES_FOLDER}/${id}.https.conf`];
}

/** The files of the sites kept as they are, with their stamp read back as the placeholder, for the stamp only. */
async function readKeptSiteFiles(projectDir: string, retained: readonly RetainedSite[]): Promise<RenderedFile[]> {
  const outputs = retained.flatMap(({ id }) => siteOutputs(id)).sort();
  const files = await Promise.all(
    outputs.map(async (output) => {
      const content = await readFile(join(projectDir, output), 'utf8').catch(() => undefined);
      if (content === undefined) return undefined;
      const file: RenderedFile = { output, content: unstampConfig(content), service: 'nginx', role: 'site', executable: false };
      return file;
    }),
  );
  return files.filter((file) => file !== undefined);
}

/** The project's own templates/ when it has one (a clone of this repo), else the ones shipped with the package. */
export function resolveTemplatesDir(projectDir: string): string {
  const local = join(projectDir, 'templates');
  if (existsSync(join(local, 'nginx')) && existsSync(join(local, 'certbot'))) return local;
  return join(packageRoot(), 'templates');
}

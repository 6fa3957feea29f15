import { readdir, readFile } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import type { Config } from '../config/config.js';
import type { Engine } from '../docker/engine.js';
import { collectSites, type SiteSet } from './collect-sites.js';
import type { SiteDeclaration } from './declaration.js';
import { envSite, siteDefaults } from './env-site.js';
import { HOST_LABEL, LABEL_PREFIX, readSiteLabels } from './site-labels.js';
import type { SiteRefusal } from './site.js';
import { parseSitesFile } from './sites-file.js';

/**
 * Every site of the stack as declared now: `.env`'s, the sites file's, and those of running containers labelled
 * `certkit.host` (any project, unless a `certkit.stack` label names another one). Sites rendered last time come
 * first in a dispute over a name, so a name stays with the site that serves it.
 */
export async function readSites(input: {
  config: Config;
  envFile: string | undefined;
  projectDir: string;
  engine: Pick<Engine, 'listLabelled'>;
  project: string;
}): Promise<SiteSet> {
  const [fromFile, fromLabels, rendered] = await Promise.all([
    readSitesFile(input.projectDir, input.config.sites.file),
    readLabelledSites(input.engine, input.project),
    renderedSiteIds(input.projectDir),
  ]);
  return collectSites(envSite(input.config, input.envFile), [...fromFile, ...fromLabels], siteDefaults(input.config), rendered);
}

export async function readSitesFile(projectDir: string, file: string): Promise<Array<SiteDeclaration | SiteRefusal>> {
  const path = isAbsolute(file) ? file : join(projectDir, file);
  const shown = isAbsolute(file) ? file : relative(projectDir, path) || file;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    return [
      {
        site: undefined,
        source: { kind: 'file', file: shown, line: 1 },
        key: '(the file)',
        value: '',
        problem: `cannot be read (${code ?? (error as Error).message}); make it a readable file, or remove it (CERTKIT_SITES_FILE)`,
      },
    ];
  }
  return parseSitesFile(shown, text);
}

export async function readLabelledSites(
  engine: Pick<Engine, 'listLabelled'>,
  project: string,
): Promise<Array<SiteDeclaration | SiteRefusal>> {
  const containers = await engine.listLabelled(HOST_LABEL);
  return containers
    .filter((container) => {
      const stack = container.labels[`${LABEL_PREFIX}stack`]?.trim();
      return stack === undefined || stack === '' || stack === project;
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map(readSiteLabels)
    .filter((entry): entry is SiteDeclaration | SiteRefusal => entry !== undefined);
}

/** The sites nginx/sites/ holds files for: those that had their names at the last render. */
async function renderedSiteIds(projectDir: string): Promise<Set<string>> {
  const names = await readdir(join(projectDir, 'nginx', 'sites')).catch(() => [] as string[]);
  return new Set(names.filter((name) => name.endsWith('.https.conf')).map((name) => name.slice(0, -'.https.conf'.length)));
}

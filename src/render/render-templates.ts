import { fstatSync, openSync, closeSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import Handlebars from 'handlebars';
import { CertkitError } from '../errors.js';
import { shellQuote, shellQuoteAll } from './shell-quote.js';

/** A template and the file it renders to; paths are relative to the templates and output folders. */
export interface RenderTarget {
  template: string;
  output: string;
  executable: boolean;
  /** The container that reads the output. */
  service: 'certbot' | 'nginx' | 'docker-proxy';
  role: 'entrypoint' | 'update-script' | 'deploy-hook' | 'site' | 'snippet' | 'proxy-config';
}

export const RENDER_TARGETS: readonly RenderTarget[] = [
  { template: 'certbot/entrypoint.sh.hbs', output: 'certbot/entrypoint.sh', executable: true, service: 'certbot', role: 'entrypoint' },
  { template: 'certbot/update-cert.sh.hbs', output: 'certbot/update-cert.sh', executable: true, service: 'certbot', role: 'update-script' },
  { template: 'certbot/deploy-hook.sh.hbs', output: 'certbot/deploy-hook.sh', executable: true, service: 'certbot', role: 'deploy-hook' },
  { template: 'nginx/site-http.conf.hbs', output: 'nginx/site-http.conf', executable: false, service: 'nginx', role: 'site' },
  { template: 'nginx/site-https.conf.hbs', output: 'nginx/site-https.conf', executable: false, service: 'nginx', role: 'site' },
  // Included by an app's own nginx (CERTKIT_NGINX_MODE=own; docs/dify.md: "Any Compose app with its own nginx").
  { template: 'nginx/certkit-acme.conf.hbs', output: 'nginx/certkit-acme.conf', executable: false, service: 'nginx', role: 'snippet' },
  { template: 'nginx/certkit-tls.conf.hbs', output: 'nginx/certkit-tls.conf', executable: false, service: 'nginx', role: 'snippet' },
  { template: 'nginx/certkit-https.conf.hbs', output: 'nginx/certkit-https.conf', executable: false, service: 'nginx', role: 'snippet' },
];

export interface RenderedFile extends Pick<RenderTarget, 'output' | 'executable' | 'service' | 'role'> {
  content: string;
}

/** Renders every target (or those `only` picks) in memory. Pure apart from reading the templates. */
export async function renderTemplates(
  templatesDir: string,
  context: Record<string, unknown>,
  only: (target: RenderTarget) => boolean = () => true,
): Promise<RenderedFile[]> {
  const handlebars = createRenderer();
  await registerPartials(handlebars, templatesDir);
  const rendered: RenderedFile[] = [];
  for (const target of RENDER_TARGETS.filter(only)) {
    const source = await readTemplate(join(templatesDir, target.template), target.template);
    rendered.push({
      output: target.output,
      content: renderOne(handlebars, target.template, source, context),
      executable: target.executable,
      service: target.service,
      role: target.role,
    });
  }
  return rendered;
}

/**
 * Compiled templates by renderer and source: a sweep renders the same two site templates for every site, and compiling
 * them a thousand times cost a second. A memo of pure functions keyed by the renderer, so nothing outlives it.
 */
const compiled = new WeakMap<typeof Handlebars, Map<string, HandlebarsTemplateDelegate>>();

function compileOnce(handlebars: typeof Handlebars, source: string): HandlebarsTemplateDelegate {
  let templates = compiled.get(handlebars);
  if (!templates) {
    templates = new Map();
    compiled.set(handlebars, templates);
  }
  let template = templates.get(source);
  if (!template) {
    template = handlebars.compile(source, { strict: true, noEscape: true });
    templates.set(source, template);
  }
  return template;
}

export function renderOne(handlebars: typeof Handlebars, name: string, source: string, context: Record<string, unknown>): string {
  try {
    const template = compileOnce(handlebars, source);
    return template(context).replace(/\r\n?/g, '\n');
  } catch (error) {
    const missing = /"([^"]+)" not defined/.exec(String((error as Error).message));
    if (missing) {
      throw new CertkitError(
        'TEMPLATE_MISSING_VALUE',
        `template ${name} uses "${missing[1]}", which certkit does not provide; fix the template (see templates/README.md for the values there are)`,
        { cause: error },
      );
    }
    throw new CertkitError('TEMPLATE_MISSING_VALUE', `template ${name} could not be rendered: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * Values reach scripts only through `sh` (one quoted word) and `shArgs` (a quoted word list); nginx values are
 * validated by the config loader and inserted through `ngx`, which refuses anything that could end a directive.
 */
export function createRenderer(): typeof Handlebars {
  const handlebars = Handlebars.create();
  handlebars.registerHelper('sh', (value: unknown) => shellQuote(String(value)));
  handlebars.registerHelper('shArgs', (values: unknown) => shellQuoteAll((values as unknown[]).map(String)));
  handlebars.registerHelper('ngx', (value: unknown) => {
    const text = String(value);
    if (/[;{}"'\\\s$#]/.test(text.replace(/ /g, '')) || text.includes('\n')) {
      throw new Error(`value ${JSON.stringify(text)} is not safe in an nginx directive`);
    }
    return text;
  });
  handlebars.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  return handlebars;
}

/** Files named `_NAME.EXT.hbs` beside the templates are partials, used as `{{> NAME}}`. */
export async function registerPartials(handlebars: typeof Handlebars, templatesDir: string): Promise<void> {
  const folders = [...new Set(RENDER_TARGETS.map((target) => dirname(target.template)))];
  for (const folder of folders) {
    const names = await readdir(join(templatesDir, folder)).catch(() => [] as string[]);
    for (const file of names.filter((name) => name.startsWith('_') && name.endsWith('.hbs'))) {
      const partialName = file.slice(1).replace(/\.[^.]+\.hbs$/, '');
      handlebars.registerPartial(partialName, await readFile(join(templatesDir, folder, file), 'utf8'));
    }
  }
}

export async function readTemplate(path: string, name: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new CertkitError(
      'TEMPLATE_NOT_FOUND',
      `template ${name} is missing (looked for ${path}); restore it from git or reinstall certkit`,
      { cause: error },
    );
  }
}

/** A rendered file as it is on disk now; undefined when there is none. */
export function readOutput(outputDir: string, output: string): Promise<string | undefined> {
  return readFile(join(outputDir, output), 'utf8').catch(() => undefined);
}

/**
 * A rendered file as it is on disk now, with its permission bits; undefined when there is none. Synchronous on
 * purpose: a sweep of a thousand sites compares two thousand small files, and one promise (and thread pool trip) per
 * open, stat, read and close cost about a second on a busy two-core machine, against tens of milliseconds this way.
 */
function readOutputNow(path: string): { content: string; mode: number } | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const { mode } = fstatSync(fd);
    return { content: readFileSync(fd, 'utf8'), mode: mode & 0o7777 };
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes rendered files atomically (temp file in the same folder, then rename) with LF endings and the run bit on
 * scripts. Unchanged files are left alone so their readers see no change (their mode is set right when it is not).
 * Returns the outputs that changed.
 */
export async function writeRenderedFiles(outputDir: string, files: readonly RenderedFile[]): Promise<string[]> {
  const changed: string[] = [];
  for (const file of files) {
    const path = join(outputDir, file.output);
    const mode = file.executable ? 0o755 : 0o644;
    const onDisk = readOutputNow(path);
    if (onDisk?.content === file.content) {
      if (onDisk.mode !== mode) await chmod(path, mode);
      continue;
    }
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.tmp-${process.pid}`;
    try {
      await writeFile(temp, file.content, { mode });
      await chmod(temp, mode);
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    changed.push(file.output);
  }
  return changed;
}

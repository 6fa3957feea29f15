import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CONTAINER_PATHS } from '../stack/layout.js';
import { CONFIG_STAMP_PATH, CONFIG_STAMP_PLACEHOLDER, stampConfig } from './config-stamp.js';
import { RENDER_TARGETS, renderTemplates, writeRenderedFiles, type RenderedFile } from './render-templates.js';

/** The ACME location needs nothing from .env (the webroot is certkit's), so it is rendered as ever. */
const ACME = 'nginx/certkit-acme.conf';
/** The TLS include names the certificate, which comes from .env: without one, it includes nothing. */
const TLS = 'nginx/certkit-tls.conf';

/**
 * When .env cannot be rendered, the app's nginx must still start: an include of a missing file is fatal to nginx.
 * Each snippet it includes that was never rendered is written now: the ACME location as always (so, once .env is
 * fixed, the first validation passes with no reload of nginx), the TLS include as a comment (HTTPS stays off until
 * certkit turns it on, which reloads nginx). Snippets rendered earlier are kept: they keep serving what they served.
 * Returns the files written.
 */
export async function writeInertSnippets(projectDir: string, templatesDir: string): Promise<string[]> {
  const missing = (output: string) => !existsSync(join(projectDir, output));
  const files: RenderedFile[] = missing(ACME)
    ? stampConfig(
        await renderTemplates(
          templatesDir,
          { paths: CONTAINER_PATHS, configStamp: { path: CONFIG_STAMP_PATH, value: CONFIG_STAMP_PLACEHOLDER } },
          (target) => target.output === ACME,
        ),
      ).files
    : [];
  const tls = RENDER_TARGETS.find((target) => target.output === TLS);
  if (tls && missing(TLS)) {
    files.push({
      ...tls,
      content: [
        `# Written by certkit-init in place of ${tls.template}: .env could not be rendered (see its log), so this adds`,
        '# nothing and nginx serves the app as before. Fix .env, check it with `certkit render --check`, then',
        '# `docker compose up -d` renders the real file.',
        '',
      ].join('\n'),
    });
  }
  return writeRenderedFiles(projectDir, files);
}

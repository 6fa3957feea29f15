import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RENDER_TARGETS, writeRenderedFiles, type RenderedFile } from './render-templates.js';

/** The snippets an app's own nginx includes by name (certkit-https.conf is reached only through the switch). */
const INCLUDED_BY_THE_APP = new Set(['nginx/certkit-acme.conf', 'nginx/certkit-tls.conf']);

/**
 * When .env cannot be rendered, the app's nginx must still start: an include of a missing file is fatal to nginx.
 * Each snippet it includes that was never rendered is written as a comment, so nginx serves the app as before,
 * plain HTTP. Snippets rendered earlier are kept as they are (they keep serving what they served). Returns what it wrote.
 */
export async function writeInertSnippets(projectDir: string): Promise<string[]> {
  const missing: RenderedFile[] = RENDER_TARGETS.filter(
    (target) => INCLUDED_BY_THE_APP.has(target.output) && !existsSync(join(projectDir, target.output)),
  ).map((target) => ({
    output: target.output,
    executable: false,
    service: target.service,
    role: target.role,
    content: [
      `# Written by certkit-init in place of ${target.template}: .env could not be rendered (see its log).`,
      '# It adds nothing, so this nginx serves the app as before. Fix .env, check it with `certkit render --check`,',
      '# then `docker compose up -d` renders the real file.',
      '',
    ].join('\n'),
  }));
  return writeRenderedFiles(projectDir, missing);
}

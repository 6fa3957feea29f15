import { createHash } from 'node:crypto';

/**
 * The rendered nginx files carry a stamp, a digest of their own content, and nginx serves it at this path on port 80
 * (an exact location, so it outranks the ACME prefix and is exempt from the HTTPS redirect, as the challenge is). The
 * stamp comes from the configuration nginx loaded, so comparing it with the one in the files on disk tells whether
 * the running nginx runs what was rendered, whoever rendered it and whatever reloaded (or did not reload) nginx.
 */
export const CONFIG_STAMP_PATH = '/.well-known/acme-challenge/certkit-config';

/** Stands in the templates for the stamp until the files it covers are rendered; never written to disk. */
export const CONFIG_STAMP_PLACEHOLDER = 'certkit-config-stamp-placeholder';

const STAMP_PREFIX = 'certkit-config ';

/**
 * Replaces the placeholder in every file with one stamp: a digest of the files' paths and content as rendered with
 * the placeholder, so the stamp never covers itself and equal files give equal stamps. Only rendered files: the stamp
 * on disk changes when they are rendered, and a static file edited by hand (nginx.conf) is rendered by nothing, so
 * covering it would leave the stamp on disk describing an nginx.conf that is no longer there. Pure.
 */
export function stampConfig<T extends { output: string; content: string }>(files: readonly T[]): { files: T[]; stamp: string } {
  const hash = createHash('sha256');
  // In path order: the same files give the same stamp whichever way they were gathered.
  const ordered = [...files].sort((a, b) => (a.output < b.output ? -1 : a.output > b.output ? 1 : 0));
  for (const file of ordered) hash.update(`${file.output}\0${file.content}\0`);
  const stamp = `${STAMP_PREFIX}${hash.digest('hex').slice(0, 16)}`;
  return { files: files.map((file) => ({ ...file, content: file.content.replaceAll(CONFIG_STAMP_PLACEHOLDER, stamp) })), stamp };
}

/** A rendered file's text with its stamp put back as the placeholder: what it was rendered from, for a new stamp. */
export function unstampConfig(text: string): string {
  return text.replace(new RegExp(`${STAMP_PREFIX}[0-9a-f]{16}`, 'g'), CONFIG_STAMP_PLACEHOLDER);
}

/** The stamp a rendered nginx file carries, or undefined (a file rendered before stamps, or not certkit's). */
export function findConfigStamp(text: string): string | undefined {
  return new RegExp(`"(${STAMP_PREFIX}[0-9a-f]{16})\\\\n"`).exec(text)?.[1];
}

/** The stamp in an answer from CONFIG_STAMP_PATH, or undefined when the answer is something else (a 404 page). */
export function parseServedStamp(body: string): string | undefined {
  const text = body.trim();
  return new RegExp(`^${STAMP_PREFIX}[0-9a-f]{16}$`).test(text) ? text : undefined;
}

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findConfigStamp } from './config-stamp.js';

/**
 * The stamp of the nginx files rendered in the project folder (every one carries the same; certkit-acme.conf is
 * rendered in both nginx modes); undefined before any render, or for files rendered before stamps.
 */
export async function readRenderedStamp(projectDir: string): Promise<string | undefined> {
  return findConfigStamp(await readFile(join(projectDir, 'nginx', 'certkit-acme.conf'), 'utf8').catch(() => ''));
}

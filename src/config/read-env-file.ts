import { readFile } from 'node:fs/promises';
import { parse } from 'dotenv';
import { CertkitError } from '../errors.js';

/** The values of a `.env` file and the line each key was set on, so errors can point at it. */
export interface EnvFile {
  path: string;
  values: Record<string, string>;
  lines: Record<string, number>;
}

/** Reads a `.env` file; a missing file is not an error (every value then comes from the environment or a default). */
export async function readEnvFile(path: string): Promise<EnvFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new CertkitError('CONFIG_INVALID', `cannot read ${path}: ${unreadableReason(code)}`, { cause: error });
  }
  return parseEnvFile(path, text);
}

export function unreadableReason(code: string | undefined): string {
  if (code === 'EISDIR')
    return 'it is a folder, not a file. Remove the folder (a bind mount of a missing file creates one), then copy .env.example to .env';
  if (code === 'EACCES' || code === 'EPERM')
    return 'permission denied. Make it readable by the user certkit runs as (e.g. chmod 0640 .env and chown it to that user), or run certkit as its owner';
  if (code === 'ENOTDIR') return 'a part of the path is not a folder. Check the path given to --env-file / --project-dir';
  if (code === 'ELOOP') return 'it is a symbolic link that loops. Replace it with the file itself';
  return `the system said ${code ?? 'an unknown error'}. Check the file exists and is a readable text file`;
}

export function parseEnvFile(path: string, text: string): EnvFile {
  return { path, values: parse(text), lines: findKeyLines(text) };
}

/** Later assignments win, as in dotenv, so the last line that sets a key is the one to report. */
function findKeyLines(text: string): Record<string, number> {
  const lines: Record<string, number> = {};
  text.split(/\r?\n/).forEach((line, index) => {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*[=:]/.exec(line);
    if (match?.[1]) lines[match[1]] = index + 1;
  });
  return lines;
}

import { readFile } from 'node:fs/promises';
import { parse } from 'dotenv';

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
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return parseEnvFile(path, text);
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

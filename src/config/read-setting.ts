import type * as z from 'zod';
import type { EnvFile } from './read-env-file.js';

export interface SettingSource {
  env: NodeJS.ProcessEnv;
  file?: EnvFile | undefined;
}

/** Reads one setting through its schema; on a bad value, records a problem and returns undefined. */
export type ReadSetting = <T>(key: string, fallback: string, schema: z.ZodType<T>) => T | undefined;

/**
 * The one way a setting is read (environment first, then `.env`, as in Compose): every problem names the variable,
 * the value as given, what is expected and where it came from (the `.env` line, or the environment).
 */
export function settingReader(source: SettingSource, problems: string[]): { read: ReadSetting; isSet: (key: string) => boolean } {
  const read: ReadSetting = (key, fallback, schema) => {
    const fromEnv = source.env[key];
    const given = fromEnv ?? source.file?.values[key] ?? '';
    // An empty value means "the default", as in .env.example's empty lines.
    const raw = given.trim() === '' ? fallback : given;
    const parsed = schema.safeParse(raw.trim());
    if (parsed.success) return parsed.data;
    problems.push(`${key}: ${JSON.stringify(given)} ${parsed.error.issues[0]?.message ?? 'is invalid'}${settingOrigin(source, key)}`);
    return undefined;
  };
  const isSet = (key: string) => (source.env[key] ?? source.file?.values[key] ?? '').trim() !== '';
  return { read, isSet };
}

/** Where a setting's value came from, as a suffix for a message: ` (.env line 12)`, ` (from the environment)` or nothing. */
export function settingOrigin(source: SettingSource, key: string): string {
  if (source.env[key] !== undefined) return ' (from the environment)';
  const line = source.file?.lines[key];
  return line ? ` (${source.file?.path} line ${line})` : '';
}

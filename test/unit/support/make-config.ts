import type { Config } from '../../../src/config/config.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { parseEnvFile } from '../../../src/config/read-env-file.js';

/** A Config built the way users build one: through loadConfig, from environment values and an optional `.env` text. */
export function makeConfig(env: Record<string, string> = {}, envFileText?: string): Config {
  const file = envFileText === undefined ? undefined : parseEnvFile('.env', envFileText);
  return loadConfig({ env: { CERTBOT_DOMAIN: 'widgets.eu', ...env }, file });
}

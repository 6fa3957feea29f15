import { CertkitError } from '../errors.js';

/** `missingFile` is the .env path looked for and not found: the likely cause of every problem on a first start. */
export function configError(problems: string[], missingFile?: string): CertkitError {
  const head = problems.length === 1 ? 'Invalid configuration' : `Invalid configuration (${problems.length} problems)`;
  const hint = missingFile
    ? `There is no .env file (looked for ${missingFile}). Create it from the example and set CERTBOT_DOMAIN:\n  cp .env.example .env\n`
    : '';
  return new CertkitError('CONFIG_INVALID', `${hint}${head}:\n  ${problems.join('\n  ')}`, { details: problems });
}

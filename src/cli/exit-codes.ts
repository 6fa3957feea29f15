import type { ErrorCode } from '../errors.js';

/** 0 success, 1 failure, 2 bad configuration or usage: scripts and health checks rely on these. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

export function exitCodeFor(code: ErrorCode): number {
  return code === 'CONFIG_INVALID' || code === 'USAGE' || code === 'TEMPLATE_MISSING_VALUE' || code === 'TEMPLATE_NOT_FOUND'
    ? EXIT.usage
    : EXIT.failure;
}

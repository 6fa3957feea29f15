/**
 * The one error type certkit throws. `code` is stable (scripts and tests match on it); `message` says what went
 * wrong and how to fix it; `cause` keeps the underlying error. Only the CLI entry decides how an error is printed
 * and which exit code it maps to (see cli/exit-codes.ts).
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'TEMPLATE_MISSING_VALUE'
  | 'TEMPLATE_NOT_FOUND'
  | 'DOCKER_UNREACHABLE'
  | 'DOCKER_FAILED'
  | 'CONTAINER_NOT_RUNNING'
  | 'NOT_FOUND'
  | 'STACK_NOT_RUNNING'
  | 'EXEC_FAILED'
  | 'LOCK_HELD'
  | 'PREFLIGHT_FAILED'
  | 'CERTBOT_FAILED'
  | 'CA_REFUSED'
  | 'CA_ACCOUNT_UNKNOWN'
  | 'NGINX_CONFIG_INVALID'
  | 'NGINX_NOT_SERVING'
  | 'TIMEOUT'
  | 'STORE_INVALID'
  | 'ARCHIVE_UNSAFE'
  | 'USAGE';

export class CertkitError extends Error {
  readonly code: ErrorCode;
  readonly details: readonly string[];

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: readonly string[] } = {}) {
    super(message, { cause: options.cause });
    this.name = 'CertkitError';
    this.code = code;
    this.details = options.details ?? [];
  }
}

export function isCertkitError(error: unknown, code?: ErrorCode): error is CertkitError {
  return error instanceof CertkitError && (code === undefined || error.code === code);
}

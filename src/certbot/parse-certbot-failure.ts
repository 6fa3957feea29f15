/** What went wrong in a failed certbot run, read from its output. */
export interface CertbotFailure {
  kind: 'rate-limited' | 'validation' | 'lock' | 'account' | 'profile' | 'store' | 'other';
  /** The CA's or certbot's own words, a line each. */
  detail: string[];
  /** When the CA says to retry (from "retry after ..." in a rate-limit error). */
  retryAfter: Date | undefined;
}

export function parseCertbotFailure(output: string): CertbotFailure {
  const lines = output
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  const detail = lines.filter(
    (line, index) =>
      STORE_DAMAGE.test(line) ||
      /^(Detail|Domain|Type|Hint):|urn:ietf:params:acme:error|::|^An unexpected error|^Error|rate limit|Another instance|not yet due|Challenge failed/i.test(
        line,
      ) ||
      // certbot prints the error itself on the line after this heading (e.g. a ConnectionError naming the host).
      /^An unexpected error occurred:$/i.test(lines[index - 1] ?? ''),
  );
  const text = lines.join('\n');
  const retryAfter = parseRetryAfter(text);
  const kind = /Another instance of Certbot is already running/i.test(text)
    ? 'lock'
    : STORE_DAMAGE.test(text)
      ? 'store'
      : /rateLimited|too many (certificates|failed authorizations|new orders|requests)|rate limit/i.test(text)
        ? 'rate-limited'
        : /accountDoesNotExist|Account .* does not exist/i.test(text)
          ? 'account'
          : /urn:ietf:params:acme:error:invalidProfile|unrecognized profile/i.test(text)
            ? 'profile'
            : /Some challenges have failed|Challenge failed|unauthorized|urn:ietf:params:acme:error:(connection|dns|incorrectResponse)/i.test(
                  text,
                )
              ? 'validation'
              : 'other';
  return { kind, detail: detail.length > 0 ? unique(detail) : lines.slice(-5), retryAfter };
}

/**
 * certbot's words for a live/ folder it cannot use: files that are not symlinks (copies or hardlinks made by hand),
 * links outside archive/, dangling links, or a renewal conf that points at them.
 */
const STORE_DAMAGE =
  /expected \S+ to be a symlink|\S+ is not a symlink|renewal configuration file \S+ is broken|CertStorageError|live directory exists for|(cert|chain|fullchain|privkey)\.pem (does not exist|is missing|not found)/i;

function parseRetryAfter(text: string): Date | undefined {
  const match = /retry after (\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2})(?:\s*UTC)?/i.exec(text);
  if (!match?.[1]) return undefined;
  const date = new Date(`${match[1].replace(' ', 'T')}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function unique(lines: string[]): string[] {
  return [...new Set(lines)];
}

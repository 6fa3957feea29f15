/** Quotes one value for POSIX sh: single quotes, with embedded single quotes closed, escaped and reopened. */
export function shellQuote(value: string): string {
  if (value === '') return "''";
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function shellQuoteAll(values: readonly string[]): string {
  return values.map(shellQuote).join(' ');
}

/** Checks one DNS name for a certificate; returns why it is not acceptable, or undefined when it is. */
export function hostnameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (name.startsWith('*.')) return 'is a wildcard; wildcards need DNS-01 validation, which certkit does not do yet';
  if (/[^\x00-\x7f]/.test(name)) return 'has non-ASCII letters; write it in its xn-- (punycode) form';
  if (name.length > 253) return 'is longer than 253 characters';
  if (/^\d+(\.\d+){3}$/.test(name) || name.includes(':')) return 'looks like an IP address but is not a valid IPv4 or IPv6 address';
  const labels = name.split('.');
  if (labels.length < 2) return 'is not a fully qualified name (expected something like example.com)';
  for (const label of labels) {
    if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(label)) return 'is not a hostname';
  }
  return undefined;
}

/**
 * Splits a list of names, lowercased, duplicates dropped, order kept. CERTBOT_DOMAIN is comma-separated (so a stray
 * space inside a name is reported, not silently split); nginx server names may also be space-separated.
 */
export function splitNames(raw: string, separator: RegExp = /[,\s]+/): string[] {
  const names = raw
    .split(separator)
    .map((name) => name.trim().toLowerCase().replace(/\.$/, ''))
    .filter((name) => name !== '');
  return [...new Set(names)];
}

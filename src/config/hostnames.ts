import { domainToASCII, domainToUnicode } from 'node:url';
import { ipFamily } from './ip-address.js';

/**
 * Checks one DNS name for a certificate; returns why it is not acceptable, with the rule it breaks and the fix, or
 * undefined when it is acceptable. The name is already lowercased, without a trailing dot.
 */
export function hostnameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//.exec(name);
  if (scheme) return `starts with the scheme "${scheme[0]}"; remove it: the names are hostnames alone, e.g. "${bareHost(name)}"`;
  if (name.includes('/'))
    return `has a path ("${name.slice(name.indexOf('/'))}"); remove it: the names are hostnames alone, e.g. "${bareHost(name)}"`;
  if (name.includes('@')) return `has an "@"; the names are hostnames alone (the email address goes in CERTBOT_EMAIL)`;
  const unbracketed = name.replace(/^\[(.*)\]$/, '$1');
  if (ipFamily(unbracketed) !== 0)
    return unbracketed === name ? 'is an IP address, not a DNS name' : 'is an IP address in brackets; write it without them';
  const port = /^(.+):(\d*)$/.exec(name);
  if (port && !(port[1] as string).includes(':')) {
    return `ends with the port ":${port[2]}"; remove it (write "${port[1]}"): nginx's ports are set with NGINX_HTTPS_PORT and NGINX_HTTP_PORT`;
  }
  if (/^\d+(\.\d+){3}$/.test(name) || name.includes(':')) return 'looks like an IP address but is not a valid IPv4 or IPv6 address';
  if (name.startsWith('*.')) return 'is a wildcard, allowed only as the whole first label ("*.example.com") with CERTBOT_CHALLENGE=dns';
  if (/[^\x00-\x7f]/.test(name)) {
    const ascii = domainToASCII(name);
    return ascii
      ? `has non-ASCII letters; certificates hold the punycode form: write "${ascii}"`
      : 'has non-ASCII letters and is not a valid internationalized name; check the spelling';
  }
  if (name.length > 253) return `is ${name.length} characters long, over the 253 a DNS name may have; shorten it`;
  const labels = name.split('.');
  if (labels.length < 2) return `is a single label, not a fully qualified name; write the whole name, e.g. "${name}.yourdomain.org"`;
  let position = 1;
  for (const label of labels) {
    const problem = labelProblem(label, position);
    if (problem) return `is not a hostname: ${problem}`;
    position += label.length + 1;
  }
  if (/^\d+$/.test(labels.at(-1) as string))
    return 'is not a hostname: its last label is all digits, which no top-level domain is (is it a mistyped IP address?)';
  const idn = punycodeProblem(name);
  return idn ? `is not a hostname: ${idn}` : undefined;
}

/**
 * A label starting with `xn--` is the punycode of an internationalized label: it must decode (IDNA, as browsers and
 * CAs read it) and encode back to itself. `xn--zz` decodes to nothing; `xn--abc-` decodes to plain `abc`, which no CA
 * accepts in that form. Returns what is wrong with the first such label of an ASCII name, or undefined.
 */
export function punycodeProblem(name: string): string | undefined {
  for (const label of name.split('.')) {
    if (!label.startsWith('xn--')) continue;
    const unicode = domainToUnicode(label);
    if (unicode === '' || domainToASCII(unicode) !== label) {
      return `its label "${label}" starts with xn-- but is not valid punycode (it does not decode to an internationalized label); check the spelling, or write the name in Unicode and certkit prints its punycode`;
    }
  }
  return undefined;
}

function labelProblem(label: string, position: number): string | undefined {
  if (label === '') return `it has an empty label at position ${position} (a dot at the start or two dots in a row); remove the extra dot`;
  if (label.length > 63)
    return `its label "${label.slice(0, 20)}..." is ${label.length} characters long, over the 63 a label may have; shorten it`;
  const bad = /[^a-z0-9-]/.exec(label);
  if (bad) {
    const shown = /\s/.test(bad[0]) ? 'a space' : `the character "${bad[0]}"`;
    return `it has ${shown} at position ${position + bad.index}; a hostname holds only letters a-z, digits, hyphens and dots`;
  }
  if (label.startsWith('-')) return `its label "${label}" starts with a hyphen; a label must start and end with a letter or digit`;
  if (label.endsWith('-')) return `its label "${label}" ends with a hyphen; a label must start and end with a letter or digit`;
  return undefined;
}

/** What the user probably meant: the host of a URL or `host:port`, without scheme, credentials, port and path. */
function bareHost(name: string): string {
  return name
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .replace(/^[^@/]*@/, '')
    .replace(/[/?#].*$/, '')
    .replace(/:\d*$/, '');
}

/**
 * Names no public CA can issue for: placeholders reserved for documentation and testing (RFC 2606, RFC 6761) and
 * names for private networks (RFC 6762 .local, RFC 8375 .home.arpa, ICANN's .internal, and the undelegated
 * .lan/.home/.corp/... that routers use). Returns why, or undefined for an ordinary name.
 */
export function reservedNameKind(name: string): { kind: 'placeholder' | 'private'; suffix: string } | undefined {
  const placeholder = PLACEHOLDER_SUFFIXES.find((suffix) => name === suffix || name.endsWith(`.${suffix}`));
  if (placeholder) return { kind: 'placeholder', suffix: placeholder };
  const local = PRIVATE_SUFFIXES.find((suffix) => name === suffix || name.endsWith(`.${suffix}`));
  return local ? { kind: 'private', suffix: local } : undefined;
}

const PLACEHOLDER_SUFFIXES = ['example.com', 'example.net', 'example.org', 'example', 'test', 'invalid', 'localhost'];
const PRIVATE_SUFFIXES = [
  'local',
  'internal',
  'home.arpa',
  'arpa',
  'alt',
  'onion',
  'lan',
  'home',
  'corp',
  'intranet',
  'private',
  'localdomain',
];

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

import { parse } from 'shell-quote';
import { CERTBOT_LONG_FLAGS, CERTBOT_SHORT_FLAGS } from './certbot-flags.js';
import { closestName } from './closest-name.js';

/**
 * CERTBOT_OPTIONS is split into words the way a shell would (quotes and backslashes), but it is never run through
 * one: the words go to certbot as an argv array. Anything that would mean more than words in a shell is refused, so a
 * value that looks harmless here cannot act differently in a hand-run script.
 */
const SHELL_METACHARACTERS = /[;&|<>`$(){}\n\r\\*?[\]~!#]/;

/** Flags certkit sets itself, or that would break the kit; each with the reason and what to use instead. */
const REFUSED_FLAGS: ReadonlyArray<[names: string[], reason: string]> = [
  [['-d', '--domain', '--domains'], 'the names come from CERTBOT_DOMAIN'],
  [['--cert-name'], 'the certificate name comes from CERTBOT_CERT_NAME (default: the first name in CERTBOT_DOMAIN)'],
  [['-m', '--email', '--register-unsafely-without-email'], 'the account email comes from CERTBOT_EMAIL'],
  [['--server', '--staging', '--test-cert'], 'the ACME server comes from CERTBOT_SERVER (or `certkit update --staging`)'],
  [['--key-type', '--rsa-key-size', '--elliptic-curve'], 'the key type comes from CERTBOT_KEY_TYPE'],
  [
    [
      '-a',
      '--authenticator',
      '-i',
      '--installer',
      '--configurator',
      '--standalone',
      '--nginx',
      '--apache',
      '--manual',
      '--manual-auth-hook',
      '--manual-cleanup-hook',
      '--manual-public-ip-logging-ok',
      '--webroot',
      '-w',
      '--webroot-path',
      '--webroot-map',
    ],
    'certkit validates over HTTP-01 with the webroot it shares with nginx, or over DNS-01 with the plugin CERTBOT_DNS_PLUGIN names (CERTBOT_CHALLENGE=dns); another authenticator or installer would bypass it',
  ],
  [
    ['--preferred-challenges'],
    'certkit answers HTTP-01 challenges through nginx only, or DNS-01 ones with CERTBOT_CHALLENGE=dns; a CA offering another challenge type first could not be answered',
  ],
  [
    ['--csr', '--cert-path', '--key-path', '--fullchain-path', '--chain-path'],
    'certkit has certbot make the key and keep the certificate in its store (live/), where the deploy hook publishes it to nginx; files written elsewhere are never served',
  ],
  [['--must-staple'], "Let's Encrypt has turned OCSP off, so a must-staple certificate would fail in browsers"],
  [['--config-dir', '--work-dir', '--logs-dir'], 'certkit relies on the standard certbot directories inside the certbot container'],
  [['-c', '--config'], 'a certbot config file could set what certkit sets; put the flags you need in CERTBOT_OPTIONS'],
  [['--dry-run'], 'use `certkit update --dry-run`'],
  [
    ['--force-renewal', '--renew-by-default', '--keep-until-expiring', '--keep', '--reinstall'],
    'use `certkit update --force`; certkit decides when to renew',
  ],
  [['--no-autorenew'], 'certkit renews with `certbot renew`, which skips a certificate saved with autorenew off'],
  [['--duplicate'], 'it creates NAME-0001 copies that nginx never serves'],
  [['--deploy-hook', '--renew-hook'], 'certkit installs its own deploy hook to publish renewed certificates to nginx'],
  [['--preferred-profile', '--required-profile'], 'the ACME profile comes from CERTBOT_PROFILE, which certkit keeps on every renewal'],
  [['--ip-address'], 'IP addresses go in CERTBOT_DOMAIN beside the names'],
  [['--expand', '--allow-subset-of-names'], 'certkit passes --expand itself when names are added'],
  [
    ['--interactive', '--force-interactive', '--debug-challenges'],
    'certkit runs certbot without a terminal, so nothing can answer a prompt',
  ],
  [
    ['--redirect', '--no-redirect', '--hsts', '--no-hsts', '--auto-hsts', '--uir', '--no-uir', '--staple-ocsp', '--no-staple-ocsp'],
    'these configure a web server through a certbot installer; certkit renders nginx itself (see the NGINX_* settings, e.g. NGINX_HSTS_MAX_AGE)',
  ],
  [['-h', '--help', '--version'], 'certbot would print and exit without issuing or renewing anything'],
];

export type OptionsCheck = { ok: true; words: string[] } | { ok: false; problem: string };

/**
 * Splits CERTBOT_OPTIONS into words and reads them as certbot's parser (argparse) would: a long flag may be given by any
 * unambiguous prefix (`--must-sta` is `--must-staple`), `--flag=value` and `--flag value` both set a value, short flags
 * cluster (`-nd` is `-n -d`) or take an attached value (`-dexample.org`). Unknown and refused flags, and words that
 * belong to no flag, are refused here, when the configuration is read, instead of weeks later when certbot runs.
 */
export function splitCertbotOptions(raw: string): OptionsCheck {
  const bad = SHELL_METACHARACTERS.exec(raw);
  if (bad) {
    const shown = JSON.stringify(bad[0]);
    return {
      ok: false,
      problem: `contains the shell character ${shown}; certbot flags never need one (remove it, or quote a value with plain quotes)`,
    };
  }
  const quote = unclosedQuote(raw);
  if (quote !== undefined) {
    return {
      ok: false,
      problem: `has an unclosed ${quote.character} quote at position ${quote.position}; close it (a value with spaces goes between two ${quote.character} quotes) or remove it`,
    };
  }
  const words: string[] = [];
  for (const token of parse(raw)) {
    if (typeof token !== 'string') return { ok: false, problem: 'is not a plain list of words' };
    words.push(token);
  }
  let expectsValueFor: string | undefined;
  for (const word of words) {
    if (expectsValueFor !== undefined) {
      expectsValueFor = undefined;
      if (!word.startsWith('-') || word === '-') continue;
    }
    if (!word.startsWith('-') || word === '-' || word === '--') {
      return {
        ok: false,
        problem: `has the word ${JSON.stringify(word)}, which is no flag nor a flag's value; certbot would read it as a command. Remove it, or put it after the flag it belongs to`,
      };
    }
    const read = word.startsWith('--') ? readLongFlag(word) : readShortFlags(word);
    if (!read.ok) return read;
    expectsValueFor = read.expectsValue ? word : undefined;
  }
  if (expectsValueFor !== undefined) return { ok: false, problem: `ends with ${expectsValueFor}, which needs a value after it` };
  return { ok: true, words };
}

type FlagRead = { ok: true; expectsValue: boolean } | { ok: false; problem: string };

function readLongFlag(word: string): FlagRead {
  const [given, ...rest] = word.split('=');
  const name = given as string;
  const hasValue = rest.length > 0;
  const flag = resolveLongFlag(name);
  if (!flag.ok) return flag;
  const shown = flag.name === name ? name : `${name} (certbot reads it as ${flag.name})`;
  const problem = refusal(flag.name, shown);
  if (problem) return { ok: false, problem };
  const takes = CERTBOT_LONG_FLAGS[flag.name];
  if (takes === 'flag' && hasValue)
    return { ok: false, problem: `sets ${shown} with a value, but it takes none; remove "=${rest.join('=')}"` };
  return { ok: true, expectsValue: takes === 'value' && !hasValue };
}

/** argparse's abbreviation rule: an exact name, or a prefix of exactly one long flag. */
function resolveLongFlag(name: string): { ok: true; name: string } | { ok: false; problem: string } {
  if (name.startsWith('--dns-'))
    return {
      ok: false,
      problem: `sets ${name}: the DNS plugin and its settings come from CERTBOT_CHALLENGE=dns, CERTBOT_DNS_PLUGIN, CERTBOT_DNS_CREDENTIALS and CERTBOT_DNS_PROPAGATION_SECONDS`,
    };
  if (Object.hasOwn(CERTBOT_LONG_FLAGS, name)) return { ok: true, name };
  const matches = Object.keys(CERTBOT_LONG_FLAGS).filter((flag) => flag.startsWith(name));
  if (matches.length === 1) return { ok: true, name: matches[0] as string };
  if (matches.length > 1) {
    const shown = matches.length > 6 ? `${matches.slice(0, 6).join(', ')}, ...` : matches.join(', ');
    return { ok: false, problem: `sets ${name}, which certbot cannot tell apart (it could be ${shown}); write the whole flag` };
  }
  const guess = closestName(name, Object.keys(CERTBOT_LONG_FLAGS));
  return {
    ok: false,
    problem: `sets ${name}, which certbot does not know${guess ? ` (did you mean ${guess}?)` : ''}; fix the spelling or remove it (certbot --help all lists every flag)`,
  };
}

function readShortFlags(word: string): FlagRead {
  const letters = word.slice(1);
  for (let index = 0; index < letters.length; index++) {
    const flag = `-${letters[index]}`;
    const takes = CERTBOT_SHORT_FLAGS[flag];
    if (takes === undefined)
      return {
        ok: false,
        problem: `sets ${flag}${word === flag ? '' : ` (in ${word})`}, which certbot does not know; fix the spelling or remove it (certbot --help all lists every flag)`,
      };
    const problem = refusal(flag, flag);
    if (problem) return { ok: false, problem };
    if (takes === 'value') return { ok: true, expectsValue: index === letters.length - 1 };
  }
  return { ok: true, expectsValue: false };
}

/**
 * The renewal-conf keys (argparse destinations) the long flags among `words` set, flags resolved as certbot resolves
 * them. `--no-x` also counts as setting `x` (certbot saves the positive key). Words must have passed splitCertbotOptions.
 */
export function optionDestinations(words: readonly string[]): Set<string> {
  const destinations = new Set<string>();
  for (const word of words) {
    if (!word.startsWith('--')) continue;
    const flag = resolveLongFlag(word.split('=', 1)[0] as string);
    if (!flag.ok) continue;
    const destination = flag.name.slice(2).replace(/-/g, '_');
    destinations.add(destination);
    if (destination.startsWith('no_')) destinations.add(destination.slice(3));
  }
  return destinations;
}

/**
 * The renewal-conf keys a user can set through CERTBOT_OPTIONS: those of every certbot flag certkit does not refuse.
 * Read from the two fixed tables once: every site of a sweep asks (resolving each of certbot's flags a thousand times
 * cost a tenth of a second), and nothing but the tables decides it.
 */
export function userOptionDestinations(): ReadonlySet<string> {
  userSettable ??= optionDestinations(Object.keys(CERTBOT_LONG_FLAGS).filter((flag) => !REFUSED_FLAG_NAMES.has(flag)));
  return userSettable;
}

const REFUSED_FLAG_NAMES = new Set(REFUSED_FLAGS.flatMap(([names]) => names));
let userSettable: ReadonlySet<string> | undefined;

function refusal(flag: string, shown: string): string | undefined {
  const refused = REFUSED_FLAGS.find(([names]) => names.includes(flag));
  return refused ? `sets ${shown}, which certkit refuses: ${refused[1]}` : undefined;
}

/** The quote character left open, read as a shell would (no backslashes here: they are refused above). */
function unclosedQuote(raw: string): { character: string; position: number } | undefined {
  let open: { character: string; position: number } | undefined;
  [...raw].forEach((character, index) => {
    if (open === undefined && (character === '"' || character === "'")) open = { character, position: index + 1 };
    else if (character === open?.character) open = undefined;
  });
  return open;
}

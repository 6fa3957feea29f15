import { parse } from 'shell-quote';

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
    ['-a', '--authenticator', '-i', '--installer', '--standalone', '--nginx', '--apache', '--manual', '--webroot', '-w', '--webroot-path'],
    'certkit validates over HTTP-01 with the webroot it shares with nginx; another authenticator or installer would bypass it',
  ],
  [['--must-staple'], "Let's Encrypt has turned OCSP off, so a must-staple certificate would fail in browsers"],
  [['--config-dir', '--work-dir', '--logs-dir'], 'certkit relies on the standard certbot directories inside the certbot container'],
  [['--dry-run'], 'use `certkit update --dry-run`'],
  [['--force-renewal', '--renew-by-default', '--keep-until-expiring', '--keep', '--reinstall'], 'use `certkit update --force`; certkit decides when to renew'],
  [['--duplicate'], 'it creates NAME-0001 copies that nginx never serves'],
  [['--deploy-hook', '--renew-hook'], 'certkit installs its own deploy hook to publish renewed certificates to nginx'],
  [['--preferred-profile', '--required-profile'], 'the ACME profile comes from CERTBOT_PROFILE, which certkit keeps on every renewal'],
  [['--ip-address'], 'IP addresses go in CERTBOT_DOMAIN beside the names'],
  [['--expand', '--allow-subset-of-names'], 'certkit passes --expand itself when names are added'],
  [['--interactive', '--force-interactive'], 'certkit runs certbot without a terminal'],
];

export type OptionsCheck = { ok: true; words: string[] } | { ok: false; problem: string };

export function splitCertbotOptions(raw: string): OptionsCheck {
  const bad = SHELL_METACHARACTERS.exec(raw);
  if (bad) {
    const shown = JSON.stringify(bad[0]);
    return { ok: false, problem: `contains the shell character ${shown}; certbot flags never need one (remove it, or quote a value with plain quotes)` };
  }
  const words: string[] = [];
  for (const token of parse(raw)) {
    if (typeof token !== 'string') return { ok: false, problem: 'is not a plain list of words' };
    words.push(token);
  }
  for (const word of words) {
    if (!word.startsWith('-')) continue;
    for (const flag of flagsIn(word)) {
      if (flag.startsWith('--dns-')) {
        return { ok: false, problem: `sets ${flag}: DNS-01 plugins are not supported yet; certkit validates over HTTP-01 through nginx` };
      }
      const refused = REFUSED_FLAGS.find(([names]) => names.includes(flag));
      if (refused) return { ok: false, problem: `sets ${flag}, which certkit refuses: ${refused[1]}` };
    }
  }
  return { ok: true, words };
}

/** certbot's short flags that take no value, so argparse reads on past them in a cluster like `-vd`. */
const VALUELESS_SHORT_FLAGS = 'vqnth';

/**
 * The flags one word sets, read as certbot's parser (argparse) reads them: `--flag=value`, and short flags with a
 * value attached (`-dexample.org` is `-d example.org`) or clustered behind value-less ones (`-nd` is `-n -d`).
 */
function flagsIn(word: string): string[] {
  if (word.startsWith('--')) return [word.split('=', 1)[0] ?? word];
  const flags: string[] = [];
  for (const letter of word.slice(1)) {
    flags.push(`-${letter}`);
    if (!VALUELESS_SHORT_FLAGS.includes(letter)) break;
  }
  return flags;
}

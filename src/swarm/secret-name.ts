import { createHash } from 'node:crypto';
import { CertkitError } from '../errors.js';

/**
 * Swarm's limits on a secret (swarmkit's validation, which the engine applies on create): a name of at most 64
 * characters, letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit; data of at most 500 KiB.
 * A secret is immutable: a renewal is a new secret, a new version name.
 */
export const SECRET_NAME_MAX = 64;
export const SECRET_NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9_.-]*[a-zA-Z0-9])?$/;
export const SECRET_DATA_MAX = 500 * 1024;
/** The labels certkit puts on every secret version it creates: how it finds a site's versions again. */
export const LABEL_STACK = 'certkit.stack';
export const LABEL_SITE = 'certkit.site';
export const LABEL_SERIAL = 'certkit.serial';
export const LABEL_NOT_AFTER = 'certkit.not-after';

/** Hex digits of the certificate's hash in a version name: unique per certificate, short enough to leave room for the site. */
const HASH_DIGITS = 12;
/** A site id cut to fit keeps this many hex digits of its full hash, so two long ids that share a start stay apart. */
const ID_HASH_DIGITS = 6;
/** The longest stack name that leaves a secret name room for a (cut) site id and the certificate's hash. */
export const STACK_NAME_MAX = SECRET_NAME_MAX - HASH_DIGITS - 2 - (ID_HASH_DIGITS + 2);

/**
 * What is wrong with a stack name as the start of every secret name (CERTKIT_SWARM_STACK), with the fix; undefined
 * when it fits Swarm's limits.
 */
export function stackNameProblem(stack: string): string | undefined {
  if (!SECRET_NAME.test(stack)) {
    return 'is not a stack name Swarm can start a secret name with: use letters, digits, "-", "_" and ".", starting and ending with a letter or digit, e.g. certkit';
  }
  if (stack.length > STACK_NAME_MAX) {
    return `is ${stack.length} characters: a secret name (at most ${SECRET_NAME_MAX}) needs room for the site and a hash; use a stack name of at most ${STACK_NAME_MAX} characters`;
  }
  return undefined;
}

export interface SecretVersionName {
  name: string;
  /** The file name in /run/secrets/ nginx reads: the same for every version of a site, so nginx.conf never changes. */
  target: string;
}

/**
 * The secret that holds one version of a site's certificate and key: `<stack>-<site>-<hash of the certificate chain>`.
 * The hash is of the public certificate, never of the key, as secret names are readable by anyone who can list them.
 * A site id too long for the 64 characters is cut and given a hash of its full text.
 */
export function secretVersionName(stack: string, siteId: string, certificatePem: string): SecretVersionName {
  checkPart('stack', stack);
  const target = secretTarget(siteId);
  const hash = sha256(certificatePem).slice(0, HASH_DIGITS);
  const room = SECRET_NAME_MAX - stack.length - hash.length - 2;
  const tooLong = stackNameProblem(stack);
  if (tooLong) throw new CertkitError('CONFIG_INVALID', `the stack name ${JSON.stringify(stack)} ${tooLong}`);
  const idPart =
    siteId.length <= room ? siteId : `${siteId.slice(0, room - ID_HASH_DIGITS - 1)}-${sha256(siteId).slice(0, ID_HASH_DIGITS)}`;
  const name = `${stack}-${idPart}-${hash}`;
  checkSecretName(name);
  return { name, target };
}

/** The stable file name a site's certificate has in every nginx task (/run/secrets/<target>). */
export function secretTarget(siteId: string): string {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(siteId) || siteId.length > 200) {
    throw new CertkitError(
      'CONFIG_INVALID',
      `site id ${JSON.stringify(siteId)} cannot name a secret file: use lower-case letters, digits, ".", "_" and "-"`,
    );
  }
  return `certkit-${siteId}.pem`;
}

/** Swarm's name rule, checked before the engine would refuse it, with the value and what is allowed. */
export function checkSecretName(name: string): void {
  if (name.length > SECRET_NAME_MAX) {
    throw new CertkitError(
      'CONFIG_INVALID',
      `secret name ${JSON.stringify(name)} is ${name.length} characters; Swarm allows at most ${SECRET_NAME_MAX}`,
    );
  }
  if (!SECRET_NAME.test(name)) {
    throw new CertkitError(
      'CONFIG_INVALID',
      `secret name ${JSON.stringify(name)} is not allowed by Swarm: use letters, digits, "-", "_" and ".", starting and ending with a letter or digit`,
    );
  }
}

/** Swarm refuses secrets over 500 KiB: a chain that long is refused here, naming the site and the size. */
export function checkSecretData(siteId: string, bytes: number): void {
  if (bytes > SECRET_DATA_MAX) {
    throw new CertkitError(
      'CONFIG_INVALID',
      `site ${siteId}: its certificate and key are ${bytes} bytes, over Swarm's limit of ${SECRET_DATA_MAX} bytes for a secret; a certificate chain that long is not one a CA issues (check the certificate's chain file)`,
    );
  }
}

function checkPart(what: string, value: string): void {
  if (!SECRET_NAME.test(value)) {
    throw new CertkitError(
      'CONFIG_INVALID',
      `the ${what} name ${JSON.stringify(value)} cannot start a secret name: use letters, digits, "-", "_" and ".", starting and ending with a letter or digit`,
    );
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

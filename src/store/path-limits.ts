/**
 * What Linux accepts as names in the certbot container's store (ext4, xfs and overlayfs alike), in bytes of UTF-8:
 * NAME_MAX for one component, PATH_MAX (which counts the final NUL) for a whole path and for a symlink's text.
 * An archive crossing one would fail half-way through writing, so restore checks them all first.
 */
export const NAME_MAX = 255;
export const PATH_MAX = 4096;
/** The longest path or symlink text the kernel takes: PATH_MAX less the NUL. */
export const LONGEST_PATH = PATH_MAX - 1;

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Why a store path cannot be written at `under` (the folder it is written into, say /etc/letsencrypt/.stage), or
 * null when it fits.
 */
export function pathLimitProblem(path: string, under: string): string | null {
  const long = path.split('/').find((part) => byteLength(part) > NAME_MAX);
  if (long !== undefined)
    return `has a name of ${byteLength(long)} bytes (${long.slice(0, 24)}…); Linux file names hold at most ${NAME_MAX} bytes (NAME_MAX)`;
  const full = byteLength(under) + 1 + byteLength(path);
  if (full > LONGEST_PATH)
    return `is ${byteLength(path)} bytes long, ${full} once written under ${under}/; Linux paths hold at most ${LONGEST_PATH} bytes (PATH_MAX)`;
  return null;
}

/** Why a symlink text cannot be written, or null when it fits. */
export function linkTextProblem(text: string): string | null {
  return byteLength(text) > LONGEST_PATH
    ? `is a symlink whose target is ${byteLength(text)} bytes; Linux symlinks hold at most ${LONGEST_PATH} bytes (PATH_MAX)`
    : null;
}

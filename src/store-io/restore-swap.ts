import type { Engine } from '../docker/engine.js';
import { CertkitError } from '../errors.js';
import { CONTAINER_PATHS } from '../stack/layout.js';

/**
 * Run with python3 in the certbot container (certbot images always have it), names as argv, no shell.
 * `swap ROOT STAGE ASIDE`: every name in ROOT but STAGE moves into a new ASIDE folder, then every name of STAGE into
 * ROOT; renames inside one file system, so no data is copied. Should one fail, the names moved so far go back, the
 * staged copy is removed and the old store is as it was. ASIDE is removed last; if that fails, its path is printed.
 * `discard ROOT STAGE`: removes a staged copy that will not be used.
 */
export const SWAP_SCRIPT = `
import os, shutil, sys
op, root, stage = sys.argv[1], sys.argv[2], sys.argv[3]
staged = os.path.join(root, stage)
if op == "discard":
    if os.path.lexists(staged):
        shutil.rmtree(staged)
    sys.exit(0)
aside_name = sys.argv[4]
aside = os.path.join(root, aside_name)
moved_out, moved_in = [], []
try:
    os.mkdir(aside, 0o700)
    for name in sorted(os.listdir(root)):
        if name not in (stage, aside_name):
            os.rename(os.path.join(root, name), os.path.join(aside, name))
            moved_out.append(name)
    for name in sorted(os.listdir(staged)):
        os.rename(os.path.join(staged, name), os.path.join(root, name))
        moved_in.append(name)
except Exception as error:
    for name in reversed(moved_in):
        os.rename(os.path.join(root, name), os.path.join(staged, name))
    for name in reversed(moved_out):
        os.rename(os.path.join(aside, name), os.path.join(root, name))
    if os.path.lexists(aside):
        os.rmdir(aside)
    shutil.rmtree(staged, ignore_errors=True)
    sys.exit("moving the restored entries into place failed (%s); the previous store was put back" % error)
os.rmdir(staged)
try:
    shutil.rmtree(aside)
except OSError as error:
    print(aside)
`;

/** The staging folder's name: hidden, and told apart from anything certbot writes. */
export function stageName(token: string): string {
  return `.certkit-restore-${token}`;
}

/** Replaces the store by the staged copy in one python3 run; the old store comes back if any move fails. */
export async function swapInStaged(engine: Engine, certbotId: string, token: string): Promise<{ leftBehind: string | undefined }> {
  const result = await engine.exec(certbotId, [
    'python3',
    '-c',
    SWAP_SCRIPT,
    'swap',
    CONTAINER_PATHS.letsencrypt,
    stageName(token),
    `.certkit-replaced-${token}`,
  ]);
  if (result.exitCode !== 0)
    throw new CertkitError(
      'EXEC_FAILED',
      `restore wrote the backup beside the store but could not put it in place: ${lastLine(result.stderr)}. Run restore again once the cause is fixed.`,
    );
  const leftBehind = result.stdout.trim();
  return { leftBehind: leftBehind === '' ? undefined : leftBehind };
}

/** Removes the staged copy after a failed write; reports the folder left behind when even that fails. */
export async function discardStaged(engine: Engine, certbotId: string, token: string): Promise<string | undefined> {
  const path = `${CONTAINER_PATHS.letsencrypt}/${stageName(token)}`;
  try {
    const result = await engine.exec(certbotId, ['python3', '-c', SWAP_SCRIPT, 'discard', CONTAINER_PATHS.letsencrypt, stageName(token)]);
    return result.exitCode === 0 ? undefined : `${path} (${lastLine(result.stderr)})`;
  } catch (error) {
    return `${path} (${(error as Error).message})`;
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}

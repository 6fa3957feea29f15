import type { Engine } from '../docker/engine.js';
import { CertkitError } from '../errors.js';
import { checkStoreRelative, type StoreWriter } from './store-writer.js';
import { CONTAINER_PATHS } from '../stack/layout.js';

// One small Python program per operation (certbot images always have Python): paths arrive as argv, no shell.
const SCRIPT = `
import os, shutil, sys, secrets
op, root, a, b = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
p = lambda rel: os.path.join(root, rel)
if op == "symlink":
    os.makedirs(os.path.dirname(p(a)), exist_ok=True)
    tmp = p(a) + ".certkit-" + secrets.token_hex(6) + ".tmp"
    os.symlink(b, tmp)
    os.replace(tmp, p(a))
elif op == "rename":
    os.makedirs(os.path.dirname(p(b)), exist_ok=True)
    os.rename(p(a), p(b))
elif op == "chmod":
    os.chmod(p(a), int(b, 8))
elif op == "copy":
    os.makedirs(os.path.dirname(p(b)), exist_ok=True)
    if os.path.lexists(p(b)):
        sys.exit("refusing to overwrite " + b)
    shutil.copy2(p(a), p(b))
elif op == "remove":
    os.remove(p(a))
`;

/** Repairs /etc/letsencrypt inside the (running) certbot container. */
export function createContainerStoreWriter(engine: Engine, certbotId: string): StoreWriter {
  const root = CONTAINER_PATHS.letsencrypt;
  const run = async (op: string, a: string, b = ''): Promise<void> => {
    const args = [
      'python3',
      '-c',
      SCRIPT,
      op,
      root,
      checkStoreRelative(a, root),
      op === 'chmod' ? b : b === '' ? '' : op === 'symlink' ? b : checkStoreRelative(b, root),
    ];
    const result = await engine.exec(certbotId, args);
    if (result.exitCode !== 0) {
      throw new CertkitError(
        'EXEC_FAILED',
        `${op} ${a}${b ? ` ${b}` : ''} failed in the certbot container: ${result.stderr.trim().split('\n').pop() ?? ''}`,
      );
    }
  };
  return {
    symlink: (path, target) => run('symlink', path, target),
    rename: (from, to) => run('rename', from, to),
    chmod: (path, mode) => run('chmod', path, mode.toString(8)),
    copy: (from, to) => run('copy', from, to),
    remove: (path) => run('remove', path),
  };
}

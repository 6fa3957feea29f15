import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CertkitError } from '../../errors.js';
import { RESTORE_LIMITS } from '../../store/tar-limits.js';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';

const SWARM_HELP = `
On a Swarm stack (CERTKIT_SWARM_STACK set): run it on the manager that runs the stack's certbot task; the backup
replaces that task's /etc/letsencrypt through this engine (the checks, the staged copy and the swap as on Compose,
under the same run lock). nginx's replicas keep their secret versions until \`certkit update\` (or the daemon's next
check) rotates each restored certificate in as a new version.`;

export function registerRestore(program: Command, { io, globals, logger, setExit }: CommandContext): void {
  program
    .command('restore <file>')
    .description(
      "Replace the certbot container's store by a backup, all or nothing. Every entry is checked first, streaming, before anything is written: names as tar means them (PAX, GNU long names), no absolute paths, no .., no control characters, nothing past Linux's name and path limits, no devices or FIFOs, no symlink whose chain leaves /etc/letsencrypt, hardlinks only to earlier files, no file over 1 MiB, at most --max-size unpacked. The backup is written beside the store, then swapped in; a failed write leaves the store as it was. A non-empty store is not replaced without --force. Status is checked afterwards.",
    )
    .option('--force', 'replace a store that already holds certificates')
    .option(
      '--max-size <MiB>',
      `refuse an archive that unpacks to more than this (default ${RESTORE_LIMITS.maxTotalBytes / 1024 / 1024}); one file may hold at most ${RESTORE_LIMITS.maxEntryBytes / 1024 / 1024} MiB`,
      (value: string) => {
        if (!/^[1-9][0-9]{0,6}$/.test(value))
          throw new CertkitError('USAGE', `--max-size ${value}: give a whole number of MiB, such as 1024.`);
        return Number(value);
      },
    )
    .addHelpText('after', SWARM_HELP)
    .action(async (file: string, options: { force?: boolean; maxSize?: number }) => {
      const [{ openStore, requireRunningCertbot }, { restoreStore }, { collectStatus }, { formatStatusTable }, { withRunLock }] =
        await Promise.all([
          import('../open-store.js'),
          import('../../store-io/restore-store.js'),
          import('../../store-io/collect-status.js'),
          import('../../store/status-entries.js'),
          import('../../update/run-lock.js'),
        ]);
      const log = logger();
      const { loadProjectEnv } = await import('../context.js');
      const { swarm } = await loadProjectEnv(globals(), io);
      const { engine, certbot, source } = swarm
        ? await (await import('../swarm-store.js')).openSwarmStore(io, swarm.stack)
        : await openStore(globals(), io, undefined).then((connected) => ({
            ...requireRunningCertbot(connected, 'restore'),
            source: connected.source,
          }));
      // Under the run lock (on Swarm, the same lock in the certbot task): a renewal writing into the store while it is
      // swapped would be lost, or half-moved.
      const lock = { waitMs: 300_000, log, now: io.now, sleep: io.sleep, purpose: 'certkit restore' };
      const result = await withRunLock(engine, certbot.name, lock, () =>
        restoreStore(engine, certbot, resolve(io.cwd, file), {
          overwrite: options.force === true,
          limits: options.maxSize === undefined ? RESTORE_LIMITS : { ...RESTORE_LIMITS, maxTotalBytes: options.maxSize * 1024 * 1024 },
        }),
      );
      if (result.leftBehind !== undefined)
        log.warn(`the replaced store could not be removed and holds private keys: remove ${result.leftBehind} in the certbot container`);
      io.stdout(`restored ${result.entries} entries, ${result.lineages} certificate(s)\n`);
      const entries = await collectStatus({ source, now: io.now() });
      io.stdout(formatStatusTable(entries));
      io.stdout(
        swarm
          ? `next: \`certkit update\` rotates each restored certificate into the nginx service of ${swarm.stack} as a secret version (certkit's daemon does at its next check)\n`
          : 'next: `certkit update` deploys the restored certificate and reloads nginx\n',
      );
      setExit(entries.some((entry) => entry.problems.some((problem) => !problem.startsWith('the deployed copy'))) ? EXIT.failure : EXIT.ok);
    });
}

import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CertkitError } from '../../errors.js';
import { RESTORE_LIMITS } from '../../store/tar-limits.js';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';

export function registerRestore(program: Command, { io, globals, setExit }: CommandContext): void {
  program
    .command('restore <file>')
    .description(
      "Restore a backup into the certbot container's store. Every entry is checked first, streaming, before anything is written (no absolute paths, no .., no control characters in names, no devices or FIFOs, no link leaving the store, no file over 1 MiB, at most --max-size unpacked); entries are written in archive order; a non-empty store is not overwritten without --force. Status is checked afterwards.",
    )
    .option('--force', 'overwrite a store that already holds certificates')
    .option(
      '--max-size <MiB>',
      `refuse an archive that unpacks to more than this (default ${RESTORE_LIMITS.maxTotalBytes / 1024 / 1024}); one file may hold at most ${RESTORE_LIMITS.maxEntryBytes / 1024 / 1024} MiB`,
      (value: string) => {
        if (!/^[1-9][0-9]{0,6}$/.test(value))
          throw new CertkitError('USAGE', `--max-size ${value}: give a whole number of MiB, such as 1024.`);
        return Number(value);
      },
    )
    .action(async (file: string, options: { force?: boolean; maxSize?: number }) => {
      const [{ openStore, requireRunningCertbot }, { restoreStore }, { collectStatus }, { formatStatusTable }] = await Promise.all([
        import('../open-store.js'),
        import('../../store-io/backup-restore.js'),
        import('../../store-io/collect-status.js'),
        import('../../store/status-entries.js'),
      ]);
      const connected = await openStore(globals(), io, undefined);
      const { engine, certbot } = requireRunningCertbot(connected, 'restore');
      const result = await restoreStore(engine, certbot, resolve(io.cwd, file), {
        overwrite: options.force === true,
        limits: options.maxSize === undefined ? RESTORE_LIMITS : { ...RESTORE_LIMITS, maxTotalBytes: options.maxSize * 1024 * 1024 },
      });
      io.stdout(`restored ${result.entries} entries, ${result.lineages} certificate(s)\n`);
      const entries = await collectStatus({ source: connected.source, now: io.now() });
      io.stdout(formatStatusTable(entries));
      io.stdout('next: `certkit update` deploys the restored certificate and reloads nginx\n');
      setExit(entries.some((entry) => entry.problems.some((problem) => !problem.startsWith('the deployed copy'))) ? EXIT.failure : EXIT.ok);
    });
}

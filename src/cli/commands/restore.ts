import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';

export function registerRestore(program: Command, { io, globals, setExit }: CommandContext): void {
  program
    .command('restore <file>')
    .description(
      "Restore a backup into the certbot container's store. Every entry is checked first (no absolute paths, no .., no link leaving the store); entries are written in archive order; a non-empty store is not overwritten without --force. Status is checked afterwards.",
    )
    .option('--force', 'overwrite a store that already holds certificates')
    .action(async (file: string, options: { force?: boolean }) => {
      const [{ openStore, requireRunningCertbot }, { restoreStore }, { collectStatus }, { formatStatusTable }] = await Promise.all([
        import('../open-store.js'),
        import('../../store-io/backup-restore.js'),
        import('../../store-io/collect-status.js'),
        import('../../store/status-entries.js'),
      ]);
      const connected = await openStore(globals(), io, undefined);
      const { engine, certbot } = requireRunningCertbot(connected, 'restore');
      const result = await restoreStore(engine, certbot, resolve(io.cwd, file), { overwrite: options.force === true });
      io.stdout(`restored ${result.entries} entries, ${result.lineages} certificate(s)\n`);
      const entries = await collectStatus({ source: connected.source, now: io.now() });
      io.stdout(formatStatusTable(entries));
      io.stdout('next: `certkit update` deploys the restored certificate and reloads nginx\n');
      setExit(entries.some((entry) => entry.problems.some((problem) => !problem.startsWith('the deployed copy'))) ? EXIT.failure : EXIT.ok);
    });
}

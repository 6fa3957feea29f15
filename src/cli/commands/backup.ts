import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CertkitError } from '../../errors.js';
import type { CommandContext } from '../context.js';

export function registerBackup(program: Command, { io, globals }: CommandContext): void {
  program
    .command('backup')
    .description(
      'Write the whole store (/etc/letsencrypt) as a .tar.gz, read through the Docker archive API: symlinks, hardlinks, modes and owners kept. The file holds private keys: it is created 0600.',
    )
    .option('-o, --output <file>', 'where to write (default: certkit-backup-PROJECT-DATE.tar.gz here)')
    .action(async (options: { output?: string }) => {
      const [{ openStore }, { backupStore }] = await Promise.all([import('../open-store.js'), import('../../store-io/backup-restore.js')]);
      const connected = await openStore(globals(), io, undefined);
      const certbot = connected.source.certbot;
      if (!connected.stack || !certbot) throw new CertkitError('STACK_NOT_RUNNING', 'no certbot container to back up');
      const stamp = io.now().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
      const file = resolve(io.cwd, options.output ?? `certkit-backup-${connected.stack.project}-${stamp}.tar.gz`);
      const result = await backupStore(connected.stack.engine, certbot, file);
      io.stdout(`wrote ${file}: ${result.entries} entries, ${result.lineages} certificate(s)\n`);
    });
}

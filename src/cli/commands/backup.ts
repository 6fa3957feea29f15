import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CertkitError } from '../../errors.js';
import type { CommandContext } from '../context.js';

const SWARM_HELP = `
On a Swarm stack (CERTKIT_SWARM_STACK set): run it on the manager that runs the stack's certbot task; the store is
that task's /etc/letsencrypt, read through this engine's archive API by the task container's name, in the same
archive format as on Compose (keys 0600, as stored). The default name is certkit-backup-STACK-DATE.tar.gz.`;

export function registerBackup(program: Command, { io, globals }: CommandContext): void {
  program
    .command('backup')
    .description(
      'Write the whole store (/etc/letsencrypt) as a .tar.gz, read through the Docker archive API: symlinks, hardlinks, modes and owners kept. The file holds private keys: it is created 0600.',
    )
    .option('-o, --output <file>', 'where to write (default: certkit-backup-PROJECT-DATE.tar.gz here)')
    .addHelpText('after', SWARM_HELP)
    .action(async (options: { output?: string }) => {
      const [{ openStore }, { backupStore }, { loadProjectEnv }] = await Promise.all([
        import('../open-store.js'),
        import('../../store-io/backup-restore.js'),
        import('../context.js'),
      ]);
      const { swarm } = await loadProjectEnv(globals(), io);
      const { engine, certbot, name } = swarm
        ? { ...(await (await import('../swarm-store.js')).openSwarmStore(io, swarm.stack)), name: swarm.stack }
        : await openStore(globals(), io, undefined).then((connected) => {
            const container = connected.source.certbot;
            if (!connected.stack || !container) throw new CertkitError('STACK_NOT_RUNNING', 'no certbot container to back up');
            return { engine: connected.stack.engine, certbot: container, name: connected.stack.project };
          });
      const stamp = io.now().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
      const file = resolve(io.cwd, options.output ?? `certkit-backup-${name}-${stamp}.tar.gz`);
      const result = await backupStore(engine, certbot, file);
      io.stdout(`wrote ${file}: ${result.entries} entries, ${result.lineages} certificate(s)\n`);
    });
}

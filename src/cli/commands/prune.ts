import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { CertkitError } from '../../errors.js';
import type { StoreSource } from '../../store-io/store-source.js';
import type { StoreWriter } from '../../store-io/store-writer.js';
import { loadProjectEnv, type CommandContext } from '../context.js';

export function registerPrune(program: Command, { io, globals }: CommandContext): void {
  program
    .command('prune')
    .description(
      "Remove archive versions older than the newest N of each certificate (never one live/ uses) and the old keys/ and csr/ files older certbot left. Lists what would go; --yes removes it. On Swarm (CERTKIT_SWARM_STACK): the certbot task's store on this manager, as for backup.",
    )
    .requiredOption('--keep <n>', 'how many versions of each certificate to keep (at least 1)', (value) => {
      if (!/^\d+$/.test(value)) throw new CertkitError('USAGE', `--keep takes a whole number, not "${value}"`);
      return Number(value);
    })
    .option('--yes', 'really remove the listed files')
    .addOption(new Option('--store <dir>', 'a certbot store folder instead of the stack'))
    .action(async (options: { keep: number; yes?: boolean; store?: string }) => {
      const [{ openStore, requireRunningCertbot }, { createContainerStoreWriter }, { createLocalStoreWriter }, { runPrune }] =
        await Promise.all([
          import('../open-store.js'),
          import('../../store-io/container-store-writer.js'),
          import('../../store-io/local-store-writer.js'),
          import('../../store-io/prune.js'),
        ]);
      // On Swarm (CERTKIT_SWARM_STACK) the store is the certbot task's on this manager, as for backup; the secret
      // versions nginx mounts are copies, so pruning the store never touches what is served.
      const swarm = options.store ? undefined : (await loadProjectEnv(globals(), io)).swarm;
      let source: StoreSource;
      let writer: StoreWriter | undefined;
      if (swarm) {
        const opened = await (await import('../swarm-store.js')).openSwarmStore(io, swarm.stack);
        source = opened.source;
        if (options.yes) writer = createContainerStoreWriter(opened.engine, opened.certbot.name);
      } else {
        const connected = await openStore(globals(), io, options.store);
        source = connected.source;
        if (options.yes && options.store) writer = createLocalStoreWriter(resolve(io.cwd, options.store));
        else if (options.yes) {
          const running = requireRunningCertbot(connected, 'prune --yes');
          writer = createContainerStoreWriter(running.engine, running.certbot.name);
        }
      }
      const { plan, removed } = await runPrune({ source, keep: options.keep, writer });
      const kept = Object.entries(plan.keptVersions).map(([name, versions]) => `  ${name}: keeps version(s) ${versions.join(', ')}`);
      if (plan.remove.length === 0) io.stdout(`nothing to prune\n${kept.join('\n')}\n`);
      else if (!options.yes)
        io.stdout(
          `would remove ${plan.remove.length} file(s) (run again with --yes):\n${plan.remove.map((path) => `  ${path}`).join('\n')}\n${kept.join('\n')}\n`,
        );
      else io.stdout(`removed ${removed.length} file(s):\n${removed.map((path) => `  ${path}`).join('\n')}\n${kept.join('\n')}\n`);
    });
}

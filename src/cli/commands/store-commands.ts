import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { CertbotContainer } from '../../certbot/certbot-container.js';
import { createContainerStoreWriter } from '../../store-io/container-store-writer.js';
import { backupStore, restoreStore } from '../../store-io/backup-restore.js';
import { runDoctor } from '../../store-io/doctor.js';
import { runPrune } from '../../store-io/prune.js';
import { collectStatus } from '../../store-io/collect-status.js';
import { containerStoreSource, localStoreSource, type StoreSource } from '../../store-io/store-source.js';
import type { Engine, ServiceContainer } from '../../docker/engine.js';
import { CertkitError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { createLocalStoreWriter } from '../../store-io/apply-repairs.js';
import { formatStatusTable } from '../../store/status-entries.js';
import { connectStack, loadProjectEnv, type GlobalOptions, type Io } from '../context.js';
import { EXIT } from '../exit-codes.js';

interface Connected {
  source: StoreSource;
  stack?: { engine: Engine; project: string; self: ServiceContainer | undefined };
}

/** The store from --store DIR, or from the certbot container of the Compose project. */
async function openStore(globals: GlobalOptions, io: Io, storeDir: string | undefined): Promise<Connected> {
  if (storeDir) return { source: localStoreSource(resolve(io.cwd, storeDir)) };
  const { projectDir, envFileProject } = await loadProjectEnv(globals, io);
  const stack = await connectStack(globals, io, projectDir, envFileProject);
  return { source: await containerStoreSource(stack.engine, stack.project), stack };
}

function requireRunningCertbot(connected: Connected, what: string): { engine: Engine; certbot: ServiceContainer } {
  const certbot = connected.source.certbot;
  if (!connected.stack || !certbot) throw new CertkitError('USAGE', `${what} works on the stack's certbot container; --store is for reading only`);
  if (!certbot.running) throw new CertkitError('STACK_NOT_RUNNING', `${what} needs the certbot container running: \`docker compose --profile certbot up -d certbot\``);
  return { engine: connected.stack.engine, certbot };
}

export function registerStoreCommands(program: Command, io: Io, globals: () => GlobalOptions, logger: () => Logger, setExit: (code: number) => void): void {
  const storeOption = new Option('--store <dir>', 'read a certbot store folder (/etc/letsencrypt layout) instead of the stack');

  program
    .command('status')
    .description('List every certificate in the store: names, expiry, serial, versions, whether live/ is intact, whether the deployed copy matches, and the serial nginx serves. Reads the store directly: no certbot process, no lock. Exit 1 when any certificate has a problem (a health check).')
    .option('--json', 'one JSON object per certificate, in an array')
    .addOption(storeOption)
    .action(async (options: { json?: boolean; store?: string }) => {
      const connected = await openStore(globals(), io, options.store);
      const entries = await collectStatus({ source: connected.source, now: io.now(), ...(connected.stack ? { nginx: connected.stack } : {}) });
      io.stdout(options.json ? `${JSON.stringify(entries, null, 2)}\n` : formatStatusTable(entries));
      setExit(entries.some((entry) => entry.problems.length > 0) ? EXIT.failure : EXIT.ok);
    });

  program
    .command('doctor')
    .description('Find what is wrong with the store and list the repairs; with --fix, apply them, never deleting data (live/ files replaced by copies or hardlinks become symlinks again, dangling links are relinked, loose key modes tightened, stale deployed copies redeployed).')
    .option('--fix', 'apply the listed repairs')
    .addOption(new Option('--store <dir>', 'a certbot store folder instead of the stack'))
    .action(async (options: { fix?: boolean; store?: string }) => {
      const log = logger();
      const connected = await openStore(globals(), io, options.store);
      let writer;
      let certbot;
      if (options.fix && options.store) writer = createLocalStoreWriter(resolve(io.cwd, options.store));
      else if (options.fix) {
        const running = requireRunningCertbot(connected, 'doctor --fix');
        writer = createContainerStoreWriter(running.engine, running.certbot.id);
        certbot = new CertbotContainer(running.engine, running.certbot.id, log);
      }
      const report = await runDoctor({ source: connected.source, now: io.now(), log, writer, certbot });
      const lines = [
        report.problems.length === 0 ? 'no problems found' : `problems (${report.problems.length}):`,
        ...report.problems.map((problem) => `  ${problem}`),
        ...(report.changes.length > 0 ? [options.fix ? 'changes made:' : 'doctor --fix would:', ...report.changes.map((change) => `  ${change}`)] : []),
        ...(options.fix && report.remaining.length > 0 ? ['still wrong after --fix:', ...report.remaining.map((problem) => `  ${problem}`)] : []),
      ];
      io.stdout(`${lines.join('\n')}\n`);
      setExit(report.remaining.length > 0 || !(options.fix ? report.fixed : true) ? EXIT.failure : EXIT.ok);
    });

  program
    .command('backup')
    .description('Write the whole store (/etc/letsencrypt) as a .tar.gz, read through the Docker archive API: symlinks, hardlinks, modes and owners kept. The file holds private keys: it is created 0600.')
    .option('-o, --output <file>', 'where to write (default: certkit-backup-PROJECT-DATE.tar.gz here)')
    .action(async (options: { output?: string }) => {
      const connected = await openStore(globals(), io, undefined);
      const certbot = connected.source.certbot;
      if (!connected.stack || !certbot) throw new CertkitError('STACK_NOT_RUNNING', 'no certbot container to back up');
      const stamp = io.now().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
      const file = resolve(io.cwd, options.output ?? `certkit-backup-${connected.stack.project}-${stamp}.tar.gz`);
      const result = await backupStore(connected.stack.engine, certbot, file);
      io.stdout(`wrote ${file}: ${result.entries} entries, ${result.lineages} certificate(s)\n`);
    });

  program
    .command('restore <file>')
    .description('Restore a backup into the certbot container\'s store. Every entry is checked first (no absolute paths, no .., no link leaving the store); entries are written in archive order; a non-empty store is not overwritten without --force. Status is checked afterwards.')
    .option('--force', 'overwrite a store that already holds certificates')
    .action(async (file: string, options: { force?: boolean }) => {
      const connected = await openStore(globals(), io, undefined);
      const { engine, certbot } = requireRunningCertbot(connected, 'restore');
      const result = await restoreStore(engine, certbot, resolve(io.cwd, file), { overwrite: options.force === true });
      io.stdout(`restored ${result.entries} entries, ${result.lineages} certificate(s)\n`);
      const entries = await collectStatus({ source: connected.source, now: io.now() });
      io.stdout(formatStatusTable(entries));
      io.stdout('next: `certkit update` deploys the restored certificate and reloads nginx\n');
      setExit(entries.some((entry) => entry.problems.some((problem) => !problem.startsWith('the deployed copy'))) ? EXIT.failure : EXIT.ok);
    });

  program
    .command('prune')
    .description('Remove archive versions older than the newest N of each certificate (never one live/ uses) and the old keys/ and csr/ files older certbot left. Lists what would go; --yes removes it.')
    .requiredOption('--keep <n>', 'how many versions of each certificate to keep (at least 1)', (value) => {
      if (!/^\d+$/.test(value)) throw new CertkitError('USAGE', `--keep takes a whole number, not "${value}"`);
      return Number(value);
    })
    .option('--yes', 'really remove the listed files')
    .addOption(new Option('--store <dir>', 'a certbot store folder instead of the stack'))
    .action(async (options: { keep: number; yes?: boolean; store?: string }) => {
      const connected = await openStore(globals(), io, options.store);
      let remove: ((path: string) => Promise<void>) | undefined;
      if (options.yes && options.store) {
        const { rm } = await import('node:fs/promises');
        const root = resolve(io.cwd, options.store);
        remove = (path) => rm(resolve(root, path));
      } else if (options.yes) {
        const running = requireRunningCertbot(connected, 'prune --yes');
        remove = createContainerStoreWriter(running.engine, running.certbot.id).remove;
      }
      const { plan, removed } = await runPrune({ source: connected.source, keep: options.keep, remove });
      const kept = Object.entries(plan.keptVersions).map(([name, versions]) => `  ${name}: keeps version(s) ${versions.join(', ')}`);
      if (plan.remove.length === 0) io.stdout(`nothing to prune\n${kept.join('\n')}\n`);
      else if (!options.yes) io.stdout(`would remove ${plan.remove.length} file(s) (run again with --yes):\n${plan.remove.map((path) => `  ${path}`).join('\n')}\n${kept.join('\n')}\n`);
      else io.stdout(`removed ${removed.length} file(s):\n${removed.map((path) => `  ${path}`).join('\n')}\n${kept.join('\n')}\n`);
    });
}

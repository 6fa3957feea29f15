import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { CertbotContainer } from '../../certbot/certbot-container.js';
import type { StoreWriter } from '../../store-io/store-writer.js';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';

export function registerDoctor(program: Command, { io, globals, logger, setExit }: CommandContext): void {
  program
    .command('doctor')
    .description(
      "Find what is wrong with the store and list the repairs; with --fix, apply them, never deleting data (live/ files replaced by copies or hardlinks become symlinks again, dangling links are relinked, loose key modes tightened, stale deployed copies redeployed). On a Swarm stack (CERTKIT_SWARM_STACK): the nginx replicas not on their site's newest secret version.",
    )
    .option('--fix', 'apply the listed repairs')
    .addOption(new Option('--store <dir>', 'a certbot store folder instead of the stack'))
    .action(async (options: { fix?: boolean; store?: string }) => {
      const log = logger();
      if (!options.store) {
        const { loadProjectEnv } = await import('../context.js');
        const { swarm, projectDir } = await loadProjectEnv(globals(), io);
        if (swarm) {
          setExit(await swarmDoctor({ io, globals }, swarm.stack, projectDir, options.fix === true));
          return;
        }
      }
      const [
        { openStore, requireRunningCertbot },
        { CertbotContainer },
        { createContainerStoreWriter },
        { runDoctor },
        { createLocalStoreWriter },
      ] = await Promise.all([
        import('../open-store.js'),
        import('../../certbot/certbot-container.js'),
        import('../../store-io/container-store-writer.js'),
        import('../../store-io/doctor.js'),
        import('../../store-io/local-store-writer.js'),
      ]);
      const connected = await openStore(globals(), io, options.store);
      let writer: StoreWriter | undefined;
      let certbot: CertbotContainer | undefined;
      if (options.fix && options.store) writer = createLocalStoreWriter(resolve(io.cwd, options.store));
      else if (options.fix) {
        const running = requireRunningCertbot(connected, 'doctor --fix');
        writer = createContainerStoreWriter(running.engine, running.certbot.name);
        certbot = new CertbotContainer(running.engine, running.certbot.name, log);
      }
      const report = await runDoctor({ source: connected.source, now: io.now(), log, writer, certbot });
      const lines = [
        report.problems.length === 0 ? 'no problems found' : `problems (${report.problems.length}):`,
        ...report.problems.map((problem) => `  ${problem}`),
        ...(report.changes.length > 0
          ? [options.fix ? 'changes made:' : 'doctor --fix would:', ...report.changes.map((change) => `  ${change}`)]
          : []),
        ...(options.fix && report.remaining.length > 0
          ? ['still wrong after --fix:', ...report.remaining.map((problem) => `  ${problem}`)]
          : []),
      ];
      io.stdout(`${lines.join('\n')}\n`);
      setExit(report.remaining.length > 0 || !(options.fix ? report.fixed : true) ? EXIT.failure : EXIT.ok);
    });
}

/** Swarm mode: each replica not on its site's newest version is a problem; a rotation mends it, not --fix. */
async function swarmDoctor(
  { io, globals }: Pick<CommandContext, 'io' | 'globals'>,
  stack: string,
  projectDir: string,
  fix: boolean,
): Promise<number> {
  const [{ readSwarmReplicas }, { replicaProblems }] = await Promise.all([
    import('../swarm-replicas.js'),
    import('../../swarm/replica-table.js'),
  ]);
  const { report, sitesUnread } = await readSwarmReplicas(globals(), io, stack, projectDir);
  if (sitesUnread) io.stderr(`certkit: the sites were not read (${sitesUnread}); only the sites of the stack's secrets are checked\n`);
  const problems = replicaProblems(report);
  const lines = [
    problems.length === 0
      ? `no problems found (Swarm stack ${stack}: every nginx replica mounts and serves its sites' newest versions)`
      : `problems (${problems.length}):`,
    ...problems.map((problem) => `  ${problem}`),
    ...(problems.length > 0
      ? [
          `${fix ? 'doctor --fix changed nothing: ' : ''}a replica is mended by a rotation (\`certkit update SITE\`), or by Swarm finishing the one under way (\`docker service ps ${report.service}\`)`,
        ]
      : []),
  ];
  io.stdout(`${lines.join('\n')}\n`);
  return problems.length > 0 || sitesUnread ? EXIT.failure : EXIT.ok;
}

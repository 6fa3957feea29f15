import { Option, type Command } from 'commander';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';

export function registerStatus(program: Command, context: CommandContext): void {
  const { io, globals, setExit } = context;
  program
    .command('status')
    .description(
      'List every certificate in the store and every declared site (a site without a certificate is a row with its problem): names, expiry, serial, versions, whether live/ is intact, whether the deployed copy matches, and the serial nginx serves. Reads the store directly: no certbot process, no lock. On a Swarm stack (CERTKIT_SWARM_STACK), a row per site and nginx replica: the secret version each task mounts, the one it should have, and the serial its handshake presents. Exit 1 when any certificate or replica has a problem (a health check).',
    )
    .option('--json', 'one JSON object per certificate, in an array')
    .addOption(new Option('--store <dir>', 'read a certbot store folder (/etc/letsencrypt layout) instead of the stack'))
    .action(async (options: { json?: boolean; store?: string }) => {
      if (!options.store) {
        const { loadProjectEnv } = await import('../context.js');
        const { swarm, projectDir } = await loadProjectEnv(globals(), io);
        if (swarm) {
          setExit(await swarmStatus(context, swarm.stack, projectDir, options.json === true));
          return;
        }
      }
      const [{ openStore }, { collectStatus }, { formatStatusTable }, { checkNginx }, { attachSites }, { readStackSites }] =
        await Promise.all([
          import('../open-store.js'),
          import('../../store-io/collect-status.js'),
          import('../../store/status-entries.js'),
          import('../../nginx/check-nginx.js'),
          import('../../sites/site-status.js'),
          import('../stack-sites.js'),
        ]);
      const connected = await openStore(globals(), io, options.store);
      const collected = await collectStatus({
        source: connected.source,
        now: io.now(),
        ...(connected.stack ? { nginx: connected.stack } : {}),
      });
      // On a stack, a row per site too: a declared site without a certificate is not fine, whatever the store says.
      const sites = connected.stack ? await readStackSites(globals(), io, connected.stack) : undefined;
      const entries = sites && 'set' in sites ? attachSites(collected, sites.set).entries : collected;
      io.stdout(options.json ? `${JSON.stringify(entries, null, 2)}\n` : formatStatusTable(entries));
      // A health check: with the certbot container down, nothing renews these certificates, however healthy they look;
      // with nginx down or running another rendering than the one on disk, what the store holds is not what is served.
      const stackProblems: string[] = [];
      if (sites && 'set' in sites)
        stackProblems.push(...attachSites([], sites.set).refusals.map((refusal) => `a site declaration is refused: ${refusal}`));
      if (sites && 'unread' in sites)
        io.stderr(`certkit: the sites were not read (${sites.unread}); only the store's certificates are listed\n`);
      const certbot = connected.source.certbot;
      if (certbot && !certbot.running) {
        stackProblems.push(
          `the certbot container (${certbot.name}) is ${certbot.state}: nothing can renew these certificates. Start it with \`docker compose --profile certbot up -d certbot\`.`,
        );
      }
      if (connected.stack) stackProblems.push(...(await checkNginx({ ...connected.stack, name: entries[0]?.domains[0] })));
      for (const problem of stackProblems) io.stderr(`certkit: ${problem}\n`);
      setExit(entries.some((entry) => entry.problems.length > 0) || stackProblems.length > 0 ? EXIT.failure : EXIT.ok);
    });
}

/** Swarm mode: a row per site and nginx replica; exit 1 when a replica is not on its site's newest version. */
async function swarmStatus({ io, globals }: CommandContext, stack: string, projectDir: string, json: boolean): Promise<number> {
  const [{ readSwarmReplicas }, { formatReplicaTable, replicaProblems }] = await Promise.all([
    import('../swarm-replicas.js'),
    import('../../swarm/replica-table.js'),
  ]);
  const { report, sitesUnread } = await readSwarmReplicas(globals(), io, stack, projectDir);
  if (sitesUnread) io.stderr(`certkit: the sites were not read (${sitesUnread}); only the sites of the stack's secrets are listed\n`);
  io.stdout(json ? `${JSON.stringify(report, null, 2)}\n` : formatReplicaTable(report));
  // Unread sites may hide a site with no version yet: not fine.
  return replicaProblems(report).length > 0 || sitesUnread ? EXIT.failure : EXIT.ok;
}

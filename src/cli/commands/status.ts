import { Option, type Command } from 'commander';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';

export function registerStatus(program: Command, { io, globals, setExit }: CommandContext): void {
  program
    .command('status')
    .description(
      'List every certificate in the store and every declared site (a site without a certificate is a row with its problem): names, expiry, serial, versions, whether live/ is intact, whether the deployed copy matches, and the serial nginx serves. Reads the store directly: no certbot process, no lock. Exit 1 when any certificate has a problem (a health check).',
    )
    .option('--json', 'one JSON object per certificate, in an array')
    .addOption(new Option('--store <dir>', 'read a certbot store folder (/etc/letsencrypt layout) instead of the stack'))
    .action(async (options: { json?: boolean; store?: string }) => {
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

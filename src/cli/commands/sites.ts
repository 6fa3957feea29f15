import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';

export function registerSites(program: Command, { io, globals, setExit }: CommandContext): void {
  program
    .command('sites')
    .description(
      'List the sites: the one .env declares, those of the sites file (CERTKIT_SITES_FILE) and those announced by service labels (certkit.host), with where each was declared and what it waits for. Refused declarations are listed with the fix. Exit 1 when a declaration is refused or a site has a problem.',
    )
    .option('--json', 'one JSON object per site, in an array')
    .action(async (options: { json?: boolean }) => {
      const [
        { connectStack, loadProjectConfig },
        { readSites },
        { siteRows, formatSiteRows },
        { containerStoreSource },
        { collectStatus },
      ] = await Promise.all([
        import('../context.js'),
        import('../../sites/read-sites.js'),
        import('../../sites/site-rows.js'),
        import('../../store-io/store-source.js'),
        import('../../store-io/collect-status.js'),
      ]);
      const { config, projectDir, envFileProject } = await loadProjectConfig(globals(), io);
      const stack = await connectStack(globals(), io, projectDir, envFileProject);
      const [set, entries] = await Promise.all([
        readSites({ config, envFile: globals().envFile ?? '.env', projectDir, engine: stack.engine, project: stack.project }),
        containerStoreSource(stack.engine, stack.project).then((source) => collectStatus({ source, now: io.now() })),
      ]);
      const rows = siteRows(set, entries);
      io.stdout(options.json ? `${JSON.stringify(rows, null, 2)}\n` : formatSiteRows(rows));
      setExit(rows.some((row) => row.state === 'refused' || row.state === 'problem') ? EXIT.failure : EXIT.ok);
    });
}

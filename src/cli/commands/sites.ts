import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';

const SWARM_HELP = `
On a Swarm stack (CERTKIT_SWARM_STACK set, run on a manager): the sites of .env and of the stack's services'
deploy.labels (DECLARED IN names the service and the label), read through the manager; the sites file is not read on
Swarm (certkit's service gets .env alone), so each of its sites is listed as refused with the fix. A site whose
certificate is fine in the certbot task's store is then followed into Swarm: "rotation pending" when that certificate
is not yet the secret version the nginx service names, "rolling out" while a replica still mounts an older version
(the replica, its node and both versions named), "serving" when every replica mounts it. Same columns and --json.`;

export function registerSites(program: Command, { io, globals, setExit }: CommandContext): void {
  program
    .command('sites')
    .description(
      'List the sites: the one .env declares, those of the sites file (CERTKIT_SITES_FILE) and those announced by service labels (certkit.host), with where each was declared and what it waits for. Refused declarations are listed with the fix. Exit 1 when a declaration is refused or a site has a problem.',
    )
    .addHelpText('after', SWARM_HELP)
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
      const rows = config.swarm
        ? await (
            await import('../swarm-sites.js')
          ).readSwarmSiteRows(globals(), io, { config: { ...config, swarm: config.swarm }, projectDir })
        : await (async () => {
            const stack = await connectStack(globals(), io, projectDir, envFileProject);
            const [set, entries] = await Promise.all([
              readSites({ config, envFile: globals().envFile ?? '.env', projectDir, engine: stack.engine, project: stack.project }),
              containerStoreSource(stack.engine, stack.project).then((source) => collectStatus({ source, now: io.now() })),
            ]);
            return siteRows(set, entries);
          })();
      io.stdout(options.json ? `${JSON.stringify(rows, null, 2)}\n` : formatSiteRows(rows));
      setExit(rows.some((row) => row.state === 'refused' || row.state === 'problem') ? EXIT.failure : EXIT.ok);
    });
}

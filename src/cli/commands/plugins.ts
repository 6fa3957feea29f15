import type { Command } from 'commander';
import type { CertbotPlugin } from '../../certbot/parse-certbot-plugins.js';
import { connectStack, loadProjectEnv, type CommandContext } from '../context.js';

/** `certkit plugins`: what the running certbot image can authenticate and install with, and where each plugin comes from. */
export function registerPlugins(program: Command, { io, globals, logger }: CommandContext): void {
  program
    .command('plugins')
    .description(
      "List the authenticators and installers in the running certbot container's image (`certbot plugins`) and the Python package each comes from. CERTBOT_DNS_PLUGIN=NAME needs dns-NAME here.",
    )
    .option('--json', 'one JSON object per plugin, in an array')
    .action(async (options: { json?: boolean }) => {
      // Loaded when the command runs, so other commands do not pay for them at start-up.
      const [{ CertbotContainer }, { findStack }] = await Promise.all([
        import('../../certbot/certbot-container.js'),
        import('../../stack/find-stack.js'),
      ]);
      const { projectDir, envFileProject } = await loadProjectEnv(globals(), io);
      const { engine, project } = await connectStack(globals(), io, projectDir, envFileProject);
      const stack = await findStack(engine, project);
      const plugins = await new CertbotContainer(engine, stack.certbot.id, logger()).plugins();
      io.stdout(options.json ? `${JSON.stringify(plugins, null, 2)}\n` : formatPluginsTable(plugins));
    });
}

/** One line per plugin: name, what it does for certbot, where it comes from, and certbot's description. */
export function formatPluginsTable(plugins: readonly CertbotPlugin[]): string {
  const rows = [
    ['NAME', 'KIND', 'FROM', 'DESCRIPTION'],
    ...plugins.map((plugin) => [plugin.name, plugin.kinds.join('+') || '-', plugin.source || '-', plugin.description]),
  ];
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => (row[column] as string).length)));
  return (
    rows.map((row) => row.map((cell, column) => (column < 3 ? cell.padEnd(widths[column] as number) : cell)).join('  ')).join('\n') + '\n'
  );
}

import type { Command } from 'commander';
import type { CertbotPlugin } from '../../certbot/parse-certbot-plugins.js';
import { connectStack, loadProjectConfig, loadProjectEnv, type CommandContext } from '../context.js';

/** `certkit plugins`: what the running certbot image can authenticate and install with, and where each plugin comes from. */
export function registerPlugins(program: Command, { io, globals, logger }: CommandContext): void {
  program
    .command('plugins')
    .description(
      "List the authenticators and installers in the running certbot container's image (`certbot plugins`) and the Python package each comes from, and the plugins in the plugins folder (CERTBOT_PLUGINS_DIR), loaded only when CERTBOT_TRUSTED_PLUGINS names one. CERTBOT_DNS_PLUGIN=NAME needs dns-NAME here.",
    )
    .option('--json', 'one JSON object per plugin, in an array')
    .action(async (options: { json?: boolean }) => {
      // Loaded when the command runs, so other commands do not pay for them at start-up.
      const [{ CertbotContainer }, { findStack, SERVICES }] = await Promise.all([
        import('../../certbot/certbot-container.js'),
        import('../../stack/find-stack.js'),
      ]);
      const { projectDir, envFileProject, nginxService, swarm } = await loadProjectEnv(globals(), io);
      if (swarm) throw (await import('../compose-only.js')).composeOnlyOnSwarm('plugins', swarm.stack);
      const { engine, project } = await connectStack(globals(), io, projectDir, envFileProject);
      const stack = await findStack(engine, project, nginxService ?? SERVICES.nginx);
      // Without a valid .env nothing is trusted: the folder's plugins are listed from their metadata, never loaded.
      const trusted = await loadProjectConfig(globals(), io).then(
        ({ config }) => config.trustedPlugins,
        () => [],
      );
      const certbot = new CertbotContainer(engine, stack.certbot.name, logger(), { pluginPath: trusted.length > 0 });
      const [loaded, folder] = await Promise.all([certbot.plugins(), certbot.folderPlugins()]);
      const plugins = withFolderPlugins(loaded, folder, trusted);
      io.stdout(options.json ? `${JSON.stringify(plugins, null, 2)}\n` : formatPluginsTable(plugins));
    });
}

/** The image's plugins and the folder's, each folder plugin marked as such, and as not loaded when it is not trusted. */
export function withFolderPlugins(
  loaded: readonly CertbotPlugin[],
  folder: ReadonlyArray<{ name: string; distribution: string; version: string }>,
  trusted: readonly string[],
): CertbotPlugin[] {
  const plugins = loaded.map((plugin) => {
    const from = folder.find((entry) => entry.name === plugin.name);
    return from ? { ...plugin, source: `plugins folder: ${from.distribution} ${from.version} (trusted)` } : plugin;
  });
  for (const entry of folder) {
    if (plugins.some((plugin) => plugin.name === entry.name)) continue;
    const why = trusted.includes(entry.name) ? 'trusted, but certbot could not load it' : 'not trusted: not loaded';
    plugins.push({
      name: entry.name,
      description: '',
      kinds: [],
      module: '',
      source: `plugins folder: ${entry.distribution} ${entry.version} (${why})`,
    });
  }
  return plugins;
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

import type { Command } from 'commander';
import { loadProjectConfig, type CommandContext } from '../context.js';

export function registerRender(program: Command, { io, globals }: CommandContext): void {
  program
    .command('render')
    .description('Render certbot/ and nginx/ from templates/ and .env (what the certkit-init service does at start). Touches no container.')
    .action(async () => {
      const [{ config, projectDir }, { renderProject }] = await Promise.all([
        loadProjectConfig(globals(), io),
        import('../../render/render-project.js'),
      ]);
      const { files } = await renderProject(config, projectDir);
      io.stdout(files.length > 0 ? `rendered ${files.join(', ')}\n` : 'rendered files are up to date\n');
    });
}

import type { Command } from 'commander';
import { isCertkitError } from '../../errors.js';
import { loadProjectConfig, loadProjectEnv, type CommandContext } from '../context.js';

const HELP = `
--check validates what certkit-init would refuse (every .env setting, CERTBOT_OPTIONS, the templates) and writes
nothing: run it before \`docker compose up -d\` adds certkit to a running app, so a bad .env is found while the app's
nginx is untouched. Exit 2 names each variable to fix.

--keep-serving is for the certkit-init service of compose.own-nginx.yaml, which the app's nginx waits for: a .env
that cannot be rendered is reported, but the command exits 0, so Compose still starts the app's nginx. The snippets
it includes keep their last rendered content (never rendered: the ACME location, which needs no .env, and a TLS
include that adds nothing): the app keeps serving as before, and certkit's daemon refuses to run until .env is fixed.

On a Swarm stack (CERTKIT_SWARM_STACK set), render writes what the stack file reads instead: swarm/nginx.conf (a
server per site of .env and, once the stack is deployed and this engine is its manager, of its services'
deploy.labels; the sites file is not read on Swarm) and swarm/docker-proxy.cfg; Compose's certbot/ and nginx/ are not
rendered. It then compares the rendering with the nginx.conf config version the stack's nginx service runs now and
prints the lines that differ; \`certkit update\` (or the daemon) rolls a differing rendering out. --check writes
nothing and prints the same comparison. --keep-serving is for Compose's certkit-init and has no effect on Swarm.`;

export function registerRender(program: Command, { io, globals }: CommandContext): void {
  program
    .command('render')
    .description(
      "Render certbot/ and nginx/ from templates/ and .env (what the certkit-init service does at start). Touches no container. On Swarm (CERTKIT_SWARM_STACK): swarm/nginx.conf and swarm/docker-proxy.cfg, and the difference with the nginx.conf the stack's nginx service runs (below).",
    )
    .option('--check', 'validate .env and the templates as certkit-init would, and list what would change; write nothing')
    .option('--keep-serving', "on a .env that cannot be rendered, report it and exit 0, keeping the files the app's nginx includes")
    .addHelpText('after', HELP)
    .action(async (options: { check?: boolean; keepServing?: boolean }) => {
      const { checkProject, renderProject, resolveTemplatesDir } = await import('../../render/render-project.js');
      const { renderDockerProxy, writeDockerProxy } = await import('../../render/render-docker-proxy.js');
      const { readOutput } = await import('../../render/render-templates.js');
      const { dockerProxyScopeFor } = await import('../docker-proxy-scope.js');
      const { swarm } = await loadProjectEnv(globals(), io);
      if (swarm) {
        const { config, projectDir } = await loadProjectConfig(globals(), io);
        const { renderSwarmStack } = await import('../swarm-render.js');
        await renderSwarmStack(globals(), io, { config: { ...config, swarm }, projectDir, check: options.check === true });
        return;
      }
      if (options.check) {
        const { config, projectDir, envFileProject } = await loadProjectConfig(globals(), io);
        const scope = await dockerProxyScopeFor(globals(), io, { projectDir, envFileProject, nginxService: config.nginx.service });
        const proxies = [await renderDockerProxy(resolveTemplatesDir(projectDir), scope)];
        const changed = [...(await checkProject(config, projectDir))];
        for (const proxy of proxies) if ((await readOutput(projectDir, proxy.output)) !== proxy.content) changed.push(proxy.output);
        io.stdout(
          `.env is valid for certkit (${config.domains.join(', ')}, nginx mode ${config.nginx.mode}); ` +
            (changed.length > 0 ? `a render would write ${changed.join(', ')}\n` : 'the rendered files are up to date\n'),
        );
        return;
      }
      try {
        const { config, projectDir, envFileProject } = await loadProjectConfig(globals(), io);
        const scope = await dockerProxyScopeFor(globals(), io, { projectDir, envFileProject, nginxService: config.nginx.service });
        const files = [
          ...(await renderProject(config, projectDir)).files,
          ...(await writeDockerProxy(projectDir, resolveTemplatesDir(projectDir), scope)),
        ];
        io.stdout(files.length > 0 ? `rendered ${files.join(', ')}\n` : 'rendered files are up to date\n');
      } catch (error) {
        if (!options.keepServing || !isCertkitError(error)) throw error;
        io.stderr(`certkit: ${error.message}\n`);
        const { writeInertSnippets } = await import('../../render/inert-snippets.js');
        const { projectDir, envFileProject, nginxService } = await loadProjectEnv(globals(), io);
        const written = await writeInertSnippets(projectDir, resolveTemplatesDir(projectDir));
        // The proxy needs no valid .env, only this project's names: it starts, and certkit's daemon says what to fix.
        const scope = await dockerProxyScopeFor(globals(), io, { projectDir, envFileProject, nginxService: nginxService ?? 'nginx' }).catch(
          () => undefined,
        );
        written.push(...(await writeDockerProxy(projectDir, resolveTemplatesDir(projectDir), scope)));
        io.stderr(
          `certkit: nothing rendered; the app's nginx starts with certkit's previous files${written.length > 0 ? ` (never rendered before, now written without .env: ${written.join(', ')})` : ''}, serving as before. ` +
            'Fix .env, check it with `certkit render --check`, then run `docker compose up -d` again.\n',
        );
      }
    });
}

import type { Config, SwarmConfig } from '../config/config.js';
import type { SiteDeclaration } from '../sites/declaration.js';
import type { Site, SiteRefusal } from '../sites/site.js';
import type { RunningNginxConf } from '../swarm/nginx-conf-report.js';
import type { GlobalOptions, Io } from './context.js';

/**
 * `certkit render` on the Swarm stack CERTKIT_SWARM_STACK names: swarm/nginx.conf (the sites of .env and, once the stack
 * is deployed, of its services' deploy.labels) and swarm/docker-proxy.cfg, written (or, with `check`, compared only),
 * then the rendering against the config version the nginx service runs now. Compose's certbot/ and nginx/ files are
 * not rendered: the Swarm stack reads neither.
 */
export async function renderSwarmStack(
  globals: GlobalOptions,
  io: Io,
  input: { config: Config & { swarm: SwarmConfig }; projectDir: string; check: boolean },
): Promise<void> {
  const [
    { renderSwarmNginx },
    { renderSwarmDockerProxy, swarmDockerProxyScope },
    { readOutput, writeRenderedFiles },
    { resolveTemplatesDir },
    { collectSites },
    { envSite, siteDefaults },
    { readSitesFile },
    { sitesFileOnSwarm },
    { describeRefusal },
    { nginxConfReport },
  ] = await Promise.all([
    import('../swarm/render-swarm-nginx.js'),
    import('../render/render-docker-proxy.js'),
    import('../render/render-templates.js'),
    import('../render/render-project.js'),
    import('../sites/collect-sites.js'),
    import('../sites/env-site.js'),
    import('../sites/read-sites.js'),
    import('../swarm/swarm-site-rows.js'),
    import('../sites/site.js'),
    import('../swarm/nginx-conf-report.js'),
  ]);
  const { config, projectDir } = input;
  const stack = config.swarm.stack;
  const seen = await readStack(io, stack, config.nginx.service);
  const set = collectSites(envSite(config, globals.envFile ?? '.env'), seen.declarations, siteDefaults(config));
  set.refused.push(...sitesFileOnSwarm(await readSitesFile(projectDir, config.sites.file), stack));
  for (const refusal of set.refused) io.stderr(`certkit: site refused: ${describeRefusal(refusal)}\n`);
  if (seen.unread) io.stderr(`certkit: ${seen.unread}\n`);
  const rendered = await renderSwarmNginx(set.sites);
  const files = [
    { output: 'swarm/nginx.conf', content: rendered, executable: false, service: 'nginx' as const, role: 'site' as const },
    await renderSwarmDockerProxy(resolveTemplatesDir(projectDir), swarmDockerProxyScope(stack, config.nginx.service)),
  ];
  const sites = `${set.sites.map((site: Site) => site.id).join(', ')}`;
  if (input.check) {
    const changed: string[] = [];
    for (const file of files) if ((await readOutput(projectDir, file.output)) !== file.content) changed.push(file.output);
    io.stdout(
      `.env is valid for certkit (${config.domains.join(', ')}; Swarm stack ${stack}, sites ${sites}); ` +
        (changed.length > 0 ? `a render would write ${changed.join(', ')}\n` : 'the rendered files are up to date\n'),
    );
  } else {
    const written = await writeRenderedFiles(projectDir, files);
    io.stdout(
      `${written.length > 0 ? `rendered ${written.join(', ')}` : 'rendered files are up to date'} (Swarm stack ${stack}, sites ${sites})\n`,
    );
  }
  const service = `${stack}_${config.nginx.service}`;
  for (const line of nginxConfReport({ stack, service, rendered, running: seen.running })) io.stdout(`${line}\n`);
}

interface StackSeen {
  declarations: Array<SiteDeclaration | SiteRefusal>;
  running: RunningNginxConf;
  /** Why the stack was not read (before its first deploy, say). */
  unread?: string;
}

/** The stack's deploy.labels sites and the nginx.conf its nginx service runs; before the first deploy, neither. */
async function readStack(io: Io, stack: string, nginxShort: string): Promise<StackSeen> {
  const [{ createSwarmApi }, { stackServiceDeclarations }, { NGINX_CONF_TARGET }, { noNginxConf }] = await Promise.all([
    import('../swarm/swarm-api.js'),
    import('../swarm/stack-sites.js'),
    import('../swarm/serving-plan.js'),
    import('../swarm/nginx-conf-report.js'),
  ]);
  const api = createSwarmApi(io.env);
  const alone = (why: string): StackSeen => ({
    declarations: [],
    running: { none: why },
    unread: `${why}: swarm/nginx.conf is rendered for the sites of .env alone (the services' deploy.labels are read once the stack runs)`,
  });
  const swarm = await api.swarmState().catch((error: unknown) => ({ state: `unreachable: ${(error as Error).message}`, manager: false }));
  if (swarm.state !== 'active' || !swarm.manager)
    return alone(
      `this engine is ${swarm.state === 'active' ? 'a Swarm worker' : `in no swarm (${swarm.state})`}, so stack ${stack} was not read`,
    );
  const services = await api.listStackServices(stack);
  if (services.length === 0) return alone(`no service carries the label of stack ${stack} (not deployed yet?)`);
  const declarations = stackServiceDeclarations(stack, services);
  const nginx = services.find((entry) => entry.short === nginxShort);
  if (!nginx) return { declarations, running: { none: `stack ${stack} has no ${nginxShort} service` } };
  const mounted = ((await api.inspectService(nginx.name)).configs ?? []).find((ref) => ref.target === NGINX_CONF_TARGET);
  if (!mounted) return { declarations, running: noNginxConf(nginx.name, stack) };
  return { declarations, running: { name: mounted.configName, text: (await api.readConfig(mounted.configId)).toString('utf8') } };
}

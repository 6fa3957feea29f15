import type { Engine, ServiceContainer } from '../docker/engine.js';
import { readRenderedStamp } from '../render/read-rendered-stamp.js';
import { chooseProbeTarget } from './probe-target.js';
import { probeServedConfig, type ServedConfig } from './served-config.js';
import { sniFor } from './tls-probe.js';

/**
 * What is wrong with the stack's nginx as a whole, for `certkit status`: its container is missing, stopped or
 * restarting (nothing serves, whatever the store says), or it runs another rendering than the one on disk (a change
 * that never reached it). Empty when nothing is.
 */
export async function checkNginx(input: {
  engine: Engine;
  project: string;
  self: ServiceContainer | undefined;
  /** CERTKIT_NGINX_SERVICE; nginx when unset. */
  service?: string | undefined;
  /** The project folder certkit renders nginx/ into. */
  projectDir: string;
  /** A name nginx serves, for the Host header (an app's own nginx may have several servers). */
  name: string | undefined;
  probe?: (target: { host: string; port: number; hostHeader: string; timeoutMs?: number }) => Promise<ServedConfig>;
}): Promise<string[]> {
  const service = input.service ?? 'nginx';
  const containers = await input.engine.listContainers({ project: input.project, service, all: true });
  const nginx = containers.find((container) => container.running) ?? containers[0];
  if (!nginx)
    return [`no ${service} container in Compose project "${input.project}": nothing serves HTTPS; start it with \`docker compose up -d\``];
  if (!nginx.running || nginx.state === 'restarting') {
    return [
      `the ${service} container (${nginx.name}) is ${nginx.state}: nothing serves HTTPS. \`docker compose logs ${service}\` says why (a configuration nginx cannot load, say)`,
    ];
  }
  const rendered = await readRenderedStamp(input.projectDir);
  // Not rendered here (status run from another folder, or before any render): nothing to compare with.
  if (!rendered) return [];
  const target = chooseProbeTarget(nginx, input.self, 80);
  const running = target
    ? await (input.probe ?? probeServedConfig)({ ...target, hostHeader: sniFor(input.name ?? 'localhost'), timeoutMs: 3_000 })
    : { stamp: undefined, why: 'its HTTP port is not published' };
  if (running.stamp === rendered) return [];
  return [
    `nginx runs ${running.stamp ?? `an unknown configuration (${running.why})`}, not the rendered ${rendered}: a change has not reached it. Run \`certkit update\` (it reloads nginx after nginx -t) and read \`docker compose logs ${service}\` if it refuses`,
  ];
}

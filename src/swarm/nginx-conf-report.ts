import { lineDiff } from './conf-diff.js';
import { NGINX_CONF_TARGET } from './serving-plan.js';

/** What the nginx service runs now: the config version it mounts as nginx.conf and its text, or why it is not known. */
export type RunningNginxConf = { name: string; text: string } | { none: string };

/**
 * Pure: `certkit render` on Swarm, the rendering against what the stack's nginx service runs now (the config version
 * it mounts at nginx.conf's target, read from Swarm): the same, or the lines that differ and what rolls it out.
 */
export function nginxConfReport(input: { stack: string; service: string; rendered: string; running: RunningNginxConf }): string[] {
  const { running, service } = input;
  if ('none' in running) return [`what ${service} runs was not compared: ${running.none}`];
  if (running.text === input.rendered) return [`${service} runs this rendering (config ${running.name})`];
  return [
    `${service} runs config ${running.name}, which differs from this rendering (- what runs, + the rendering):`,
    ...lineDiff(running.text, input.rendered).map((line) => `  ${line}`),
    `\`certkit update\` (or the daemon's next check) rolls the rendering out as a new config version of ${input.stack}; Swarm's configs are immutable, so a deploy of swarm/nginx.conf needs a new CERTKIT_SWARM_CONF_VERSION`,
  ];
}

export function noNginxConf(service: string, stack: string): RunningNginxConf {
  return {
    none: `${service} mounts no config at ${NGINX_CONF_TARGET}: deploy the stack (\`docker stack deploy -c compose.swarm.yaml ${stack}\`)`,
  };
}

import type { Config } from '../config/config.js';
import type { Engine, ServiceContainer } from '../docker/engine.js';
import { CertkitError } from '../errors.js';
import { CONTAINER_PATHS, OWN_NGINX_HTTPS_CONF, OWN_NGINX_HTTPS_SWITCH, deployDirFor } from '../stack/layout.js';

/**
 * What serving a certificate means for the configured nginx: the app's own nginx (CERTKIT_NGINX_MODE=own) is switched
 * through certkit's include and reloaded with `nginx -s reload`; undefined for certkit's own nginx (site files, SIGHUP).
 * Every path that deploys a certificate (update, import) asks here, so none of them drives the wrong nginx.
 */
export function ownNginxOf(config: Pick<Config, 'nginx' | 'certName'>): { certName: string } | undefined {
  return config.nginx.mode === 'own' ? { certName: config.certName } : undefined;
}

/**
 * Writes the switch in the certbot container (the deploy folder is read-only in nginx): a one-line include of the
 * rendered HTTPS settings, beside the bundle it needs, replaced atomically. Exit 3: no bundle there yet. Paths arrive
 * as arguments, never spliced into the script.
 */
const WRITE_SWITCH = [
  'set -eu',
  'dir=$1 switch=$2 conf=$3',
  'test -s "$dir/bundle.pem" || exit 3',
  'existed=0; if [ -f "$dir/$switch" ]; then existed=1; fi',
  `printf 'include %s;\\n' "$conf" > "$dir/.$switch.certkit-new"`,
  'mv -f "$dir/.$switch.certkit-new" "$dir/$switch"',
  'echo "$existed"',
].join('\n');

/**
 * Turns HTTPS on in the app's own nginx (CERTKIT_NGINX_MODE=own): writes the switch certkit-tls.conf includes, then
 * asks nginx to check its whole configuration (`nginx -T`). When nginx refuses it, or its configuration does not
 * reach certkit-https.conf (the include line is missing), a switch this call wrote is removed again and the error
 * says why; nginx is not reloaded, so it keeps serving what it served. The caller reloads nginx after this.
 */
export async function switchOwnNginxToHttps(
  engine: Engine,
  stack: { nginx: ServiceContainer; certbot: ServiceContainer },
  certName: string,
): Promise<void> {
  const dir = deployDirFor(certName);
  const written = await engine.exec(stack.certbot.name, [
    '/bin/sh',
    '-c',
    WRITE_SWITCH,
    'sh',
    dir,
    OWN_NGINX_HTTPS_SWITCH,
    OWN_NGINX_HTTPS_CONF,
  ]);
  if (written.exitCode === 3) {
    throw new CertkitError(
      'NGINX_NOT_SERVING',
      `no certificate bundle is deployed at ${dir}/bundle.pem yet, so nginx cannot turn HTTPS on`,
    );
  }
  if (written.exitCode !== 0) {
    throw new CertkitError(
      'NGINX_NOT_SERVING',
      `could not write ${dir}/${OWN_NGINX_HTTPS_SWITCH}: ${(written.stderr || written.stdout).trim()}`,
    );
  }
  const existed = written.stdout.trim() === '1';
  const checked = await engine.exec(stack.nginx.name, ['nginx', '-T']);
  const problem = ownNginxProblem(checked, stack.nginx.service ?? 'nginx');
  if (!problem) return;
  if (!existed) await engine.exec(stack.certbot.name, ['rm', '-f', `${dir}/${OWN_NGINX_HTTPS_SWITCH}`]);
  throw new CertkitError('NGINX_CONFIG_INVALID', `${problem}; nginx keeps serving what it served.`);
}

/**
 * Reloads the app's nginx with `nginx -s reload`, which signals the master named by its pid file. A signal to the
 * container would reach its PID 1, which in an app's image may be a shell that started nginx (Dify's is) and ignores it.
 */
export async function reloadOwnNginx(engine: Engine, nginx: ServiceContainer): Promise<void> {
  const result = await engine.exec(nginx.name, ['nginx', '-s', 'reload']);
  if (result.exitCode !== 0) {
    throw new CertkitError(
      'NGINX_NOT_SERVING',
      `\`nginx -s reload\` failed in the ${nginx.service ?? 'nginx'} service: ${(result.stderr || result.stdout).trim()}`,
    );
  }
}

/** What is wrong with the app's nginx, from its `nginx -T` (test and dump the configuration); undefined when nothing. */
export function ownNginxProblem(result: { exitCode: number; stdout: string; stderr: string }, service: string): string | undefined {
  if (result.exitCode !== 0) {
    return `nginx in the ${service} service refused its configuration with certkit's HTTPS include:\n${result.stderr.trim() || result.stdout.trim()}\n`;
  }
  if (!result.stdout.includes(`# configuration file ${OWN_NGINX_HTTPS_CONF}:`)) {
    return (
      `the nginx configuration of the ${service} service does not include certkit's TLS settings: add ` +
      `\`include ${CONTAINER_PATHS.nginxConfig}/certkit-tls.conf;\` (and \`include ${CONTAINER_PATHS.nginxConfig}/certkit-acme.conf;\`) inside its server ` +
      "block, and mount certkit's nginx/ folder and deploy volume read-only (compose.own-nginx.yaml does). In a file the " +
      "app's upgrades put back, the lines are lost again: in Dify's docker/, add compose.dify.yaml to COMPOSE_FILE instead " +
      '(docs/dify.md: "Add HTTPS to Dify\'s docker/ folder")'
    );
  }
  return undefined;
}

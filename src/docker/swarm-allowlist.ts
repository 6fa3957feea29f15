import { stringify } from 'node:querystring';
import { CONTAINER_PATHS } from '../stack/layout.js';
import { EXEC_BODY, EXEC_ID, literal, VERSION, type AllowRule } from './api-allowlist.js';

/**
 * The Docker API calls certkit makes on a Swarm manager (CERTKIT_SWARM_STACK), and nothing else: the allowlist of the
 * socket proxy compose.swarm.yaml runs beside certkit, rendered into the same HAProxy configuration as Compose's
 * (templates/docker-proxy/). Pure, like api-allowlist.ts, whose rule form and helpers it shares; a unit test sends
 * every call of src/swarm/swarm-api.ts and the Engine's exec to a stand-in engine and checks each against it.
 *
 * Swarm names what certkit touches, so the rules name them too: the stack's services (`STACK_nginx`, `STACK_certbot`),
 * their tasks' containers (`STACK_certbot.1.<task id>`), and certkit's secret and config versions (`STACK-…-<12
 * hex>`). certkit addresses all of them by name (swarm-api.ts resolves the ids Swarm hands back), never by id, which
 * the proxy could not tell apart from another stack's.
 */
export interface SwarmAllowlistScope {
  /** The stack's name (`docker stack deploy … STACK`): the start of its services' and certkit's secrets' names. */
  stack: string;
  /** The nginx service as the stack file names it (CERTKIT_NGINX_SERVICE, `nginx`). */
  nginxService: string;
  /** The certbot service as the stack file names it. */
  certbotService: string;
  /** The labels certkit puts on its secrets and configs: the stack's (checked on create and list), then the others. */
  stackLabel: string;
  labels: readonly string[];
  /**
   * The start of the names compose.swarm.yaml gives the nginx.conf config of a first deploy (before certkit's own
   * version): certkit reads it back to compare with its rendering. An nginx.conf holds no key.
   */
  stackFileConfigs: readonly string[];
}

/** A Swarm object id (services, tasks, nodes, secrets, configs): 25 lowercase letters and digits. */
const SWARM_ID = '[a-z0-9]{25}';
/** A version certkit names (secret-name.ts, nginxConfName): the stack, `-`, the site or `nginx`, `-`, 12 hex digits. */
const VERSION_TAIL = '-[A-Za-z0-9][A-Za-z0-9_.-]{0,60}-[0-9a-f]{12}';
/** A label value or a base64 payload, as JSON.stringify writes them (no quote, no backslash). */
const JSON_PLAIN = '[^"\\\\]*';
const BASE64 = '[A-Za-z0-9+/=]*';
/** A site's id in a filter (querystring leaves these as they are). */
const SITE_ID = '[A-Za-z0-9_.-]{1,200}';

/**
 * What a service update's body may not carry, anywhere (Go's JSON reads keys in any case, so these are matched
 * case-insensitively, with any spacing): the spec certkit sends back is the nginx service's own with its secrets and
 * configs changed, so none of these is needed, and each would widen what nginx's tasks reach.
 */
export function refusedServiceSpec(stack: string): string[] {
  const s = '\\s*';
  return [
    // A JSON escape could spell any key or value below around these checks: certkit's JSON has none.
    '\\\\u',
    // A bind mount (the host's filesystem, its Docker socket), or a volume's driver options (a local volume can bind).
    `"Type"${s}:${s}"bind"`,
    `"DriverConfig"${s}:${s}[{]`,
    // A volume of anything but this stack (another app's data).
    `"Source"${s}:${s}"(?!${literal(stack)}_)`,
    // Added capabilities.
    `"CapabilityAdd"${s}:${s}\\[${s}"`,
    // A secret of anything but this stack (certkit's versions, the stack file's own): another app's password, say.
    `"SecretName"${s}:${s}"(?!${literal(stack)}[-_])`,
  ];
}

/** `?filters=<JSON>` as dockerode encodes it, with each placeholder word replaced by a regular expression. */
function filtersPattern(filters: Record<string, readonly string[]>, holes: Record<string, string> = {}): string {
  let pattern = literal(stringify({ filters: JSON.stringify(filters) }));
  // A hole is named by its text as encoded (`%2C%22WORD%22`), found in the pattern as literal() wrote it.
  for (const [encoded, regex] of Object.entries(holes)) pattern = pattern.split(literal(encoded)).join(regex);
  return pattern;
}

export function buildSwarmAllowlist(scope: SwarmAllowlistScope): AllowRule[] {
  const { stack } = scope;
  const nginx = literal(`${stack}_${scope.nginxService}`);
  const certbot = literal(`${stack}_${scope.certbotService}`);
  const version = `${literal(stack)}${VERSION_TAIL}`;
  const stackLabel = `${scope.stackLabel}=${stack}`;
  // The labels certkit writes on a version: the stack's first, then its own (site, serial, not-after, kind).
  const ownLabels = scope.labels.map(literal).join('|');
  const createBody = `^\\{"Name":"${version}","Labels":\\{"${literal(scope.stackLabel)}":"${literal(stack)}"(?:,"(?:${ownLabels})":"${JSON_PLAIN}")*\\},"Data":"${BASE64}"\\}$`;
  const listQuery = filtersPattern(
    { label: [stackLabel, 'XLABELX'] },
    { '%2C%22XLABELX%22': `(?:%2C%22(?:${ownLabels})%3D${SITE_ID}%22)?` },
  );
  const certbotTask = `${certbot}[.][0-9]+[.]${SWARM_ID}`;
  // A replicated service's task is SERVICE.SLOT.TASK; a global one's SERVICE.NODE.TASK.
  const nginxTask = `${nginx}[.](?:[0-9]+|${SWARM_ID})[.]${SWARM_ID}`;
  const rules: AllowRule[] = [
    { method: 'GET', url: `^${VERSION}/_ping$`, purpose: 'reach the engine; its API version (the first call, negotiated)' },
    { method: 'GET', url: `^${VERSION}/version$`, purpose: "the engine's version" },
    { method: 'GET', url: `^${VERSION}/info$`, purpose: 'whether this engine is a Swarm manager, and its node id' },
    {
      method: 'GET',
      url: `^${VERSION}/services[?]${filtersPattern({ label: [`com.docker.stack.namespace=${stack}`] })}$`,
      purpose: `list the services of stack ${stack} (their deploy.labels announce sites; the secrets they reference)`,
    },
    {
      method: 'GET',
      url: `^${VERSION}/services/${nginx}$`,
      purpose: `inspect ${stack}_${scope.nginxService} (its secrets, configs, update state)`,
    },
    { method: 'GET', url: `^${VERSION}/services/${certbot}$`, purpose: `inspect ${stack}_${scope.certbotService}` },
    {
      method: 'POST',
      url: `^${VERSION}/services/${nginx}/update[?]version=[0-9]+$`,
      refusedBodies: refusedServiceSpec(stack),
      purpose: `update ${stack}_${scope.nginxService}: its secrets and nginx.conf's config (start-first, rolled back on failure)`,
    },
    ...[nginx, certbot].map((service): AllowRule => ({
      method: 'GET',
      url: `^${VERSION}/tasks[?]${filtersPattern({ service: ['XSERVICEX'] }, { XSERVICEX: service })}$`,
      purpose: `list the tasks of ${service === nginx ? `${stack}_${scope.nginxService}` : `${stack}_${scope.certbotService}`}`,
    })),
    { method: 'GET', url: `^${VERSION}/nodes$`, purpose: "list the nodes (a task's node, named in messages)" },
    {
      method: 'GET',
      url: `^${VERSION}/events[?]${filtersPattern({ type: ['service'], event: ['create', 'update', 'remove'] })}$`,
      purpose: "watch services being created, updated or removed (the daemon's wake-up)",
    },
    ...(['secrets', 'configs'] as const).flatMap((kind): AllowRule[] => [
      { method: 'GET', url: `^${VERSION}/${kind}[?]${listQuery}$`, purpose: `list certkit's ${kind} of stack ${stack} by its labels` },
      {
        method: 'POST',
        url: `^${VERSION}/${kind}/create[?]?$`,
        body: createBody,
        purpose: `create a ${kind === 'secrets' ? "site's certificate version" : 'nginx.conf version'} named ${stack}-…, labelled ${stackLabel}`,
      },
      { method: 'DELETE', url: `^${VERSION}/${kind}/${version}$`, purpose: `remove one of certkit's ${kind} of stack ${stack}, by name` },
    ]),
    { method: 'GET', url: `^${VERSION}/configs/${version}$`, purpose: "read a config version certkit made (nginx.conf's text)" },
    ...scope.stackFileConfigs.map((start): AllowRule => ({
      method: 'GET',
      url: `^${VERSION}/configs/${literal(start)}[A-Za-z0-9_.-]{1,60}$`,
      purpose: `read the nginx.conf the stack file deployed (${start}VERSION), to compare it with certkit's rendering`,
    })),
    {
      method: 'GET',
      url: `^${VERSION}/containers/${certbotTask}/json$`,
      purpose: `inspect the ${scope.certbotService} task's container on this node`,
    },
    {
      method: 'GET',
      url: `^${VERSION}/containers/${certbotTask}/archive[?]${literal(stringify({ path: CONTAINER_PATHS.letsencrypt }))}$`,
      purpose: `read ${CONTAINER_PATHS.letsencrypt} of the ${scope.certbotService} task's container (the daemon's certificate series)`,
    },
    {
      method: 'GET',
      url: `^${VERSION}/containers/${nginxTask}/json$`,
      purpose: `the health of a ${scope.nginxService} task's container on this node`,
    },
    {
      method: 'POST',
      url: `^${VERSION}/containers/${certbotTask}/exec$`,
      body: EXEC_BODY,
      purpose: `run a command in the ${scope.certbotService} task's container (not privileged, as its own user)`,
    },
    { method: 'POST', url: `^${VERSION}/exec/${EXEC_ID}/start$`, purpose: 'start an exec certkit created, attached' },
    { method: 'GET', url: `^${VERSION}/exec/${EXEC_ID}/json$`, purpose: "read an exec's exit code" },
  ];
  return rules;
}

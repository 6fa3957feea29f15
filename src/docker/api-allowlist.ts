import { stringify } from 'node:querystring';

/**
 * The Docker API calls certkit makes, and nothing else: the allowlist of the socket proxy (HAProxy) that stands between
 * certkit and the engine. The proxy's configuration is rendered from these rules (templates/docker-proxy/), and a
 * unit test checks every request the Engine sends against them, so the two cannot drift apart.
 *
 * Each rule is an HTTP method and one anchored regular expression over the whole request target (path and query, as
 * sent: HAProxy's `url`), written in the subset PCRE2 and JavaScript read alike. Containers are named in the path
 * (Compose names them `<project>-<service>-<n>`, v1 `<project>_<service>_<n>`, `run` adds `-run-<hex>`), so a rule reaches this stack's
 * services only; the query of a list or an archive call is matched whole (filters are JSON, label first, as
 * docker-engine.ts builds them). No rule lets a `%` into the path or `..` anywhere outside a query value.
 */
export interface AllowRule {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Anchored regular expression over the request target (`/v1.41/containers/x/json?…`). */
  url: string;
  /** When set, the request body must match it whole (anchored); a body past EXEC_BODY_LIMIT or EXEC_BODY_ESCAPES never does. */
  body?: string;
  /**
   * When set, the request is refused if any of these matches somewhere in its body (case-insensitive, as Go's JSON
   * decoder reads keys), and its body must have a Content-Length of at most EXEC_BODY_LIMIT (so the proxy reads it
   * whole): what a body the rule cannot spell out whole (a service's spec) may not carry.
   */
  refusedBodies?: readonly string[];
  /** What certkit makes this call for (the docs' table and the proxy configuration's comments). */
  purpose: string;
}

/** What the allowlist is for: this stack's Compose project, its services, and the paths and label certkit reads. */
export interface AllowlistScope {
  project: string;
  /** The nginx service (certkit's own `nginx`, or the app's: CERTKIT_NGINX_SERVICE). */
  nginxService: string;
  /** The certbot service, where certkit runs certbot and reads and writes the store. */
  certbotService: string;
  /** Services certkit finds by label and inspects, beyond nginx and certbot (its own container, a local CA). */
  inspectedServices: readonly string[];
  /** The label of other projects' containers announcing sites: listed and watched, never inspected. */
  sitesLabel: string;
  /** Folders of the certbot container certkit reads as archives. */
  archiveReads: readonly string[];
  /** Folders of the certbot container certkit writes archives into. */
  archiveWrites: readonly string[];
  /**
   * Folders of the certbot container whose lineage subfolders certkit reads one at a time (FOLDER/NAME: a site that
   * just deployed reads its own copy back). NAME is a certificate name: no slash, no leading dot.
   */
  lineageReads: readonly string[];
}

/** The request body the proxy reads whole before matching an exec's: certkit's scripts stay well under it. */
export const EXEC_BODY_LIMIT = 256 * 1024;
/**
 * Escapes (backslashes) an exec's body may hold: each costs HAProxy's regex engine (PCRE2's JIT) stack as it matches
 * a JSON string, and past about a thousand the match fails and the proxy refuses the exec (measured on HAProxy 3.2).
 * certkit's largest script has under a hundred.
 */
export const EXEC_BODY_ESCAPES = 500;

export const VERSION = '/v1[.][0-9]+';
export const EXEC_ID = '[0-9a-f]{64}';
const LABEL = 'com.docker.compose.project';
const SERVICE_LABEL = 'com.docker.compose.service';
// A JSON string as JSON.stringify writes it (quotes and backslashes escaped), and an array of them. Unrolled (runs of
// plain characters, then one escape): the regex engine takes a step of its stack per escape, not per character.
const JSON_STRING = '"[^"\\\\]*(?:\\\\.[^"\\\\]*)*"';
const JSON_STRINGS = `\\[(?:${JSON_STRING}(?:,${JSON_STRING})*)?\\]`;
/** The body of every exec certkit creates (JSON.stringify's order): no Privileged, User, WorkingDir or Tty. */
export const EXEC_BODY = `^\\{"Cmd":${JSON_STRINGS}(?:,"Env":${JSON_STRINGS})?,"AttachStdin":(?:true|false),"AttachStdout":true,"AttachStderr":true\\}$`;

/** Text matched as itself: every character outside [A-Za-z0-9_-] goes in a class of its own (no backslash needed). */
export function literal(text: string): string {
  return [...text]
    .map((char) => {
      if (/[A-Za-z0-9_-]/.test(char)) return char;
      if (/[\\\]^\n\r'\s]/.test(char)) throw new Error(`${JSON.stringify(char)} cannot be part of a Docker API allowlist rule`);
      return `[${char}]`;
    })
    .join('');
}

/** A container of the project's service, as Compose v2 and v1 name it: `-1`, or `-run-<hex>` for `compose run`'s. */
export function containerName(project: string, service: string): string {
  return `${literal(project)}[-_]${literal(service)}[-_](?:[0-9]+|run[-_][0-9a-f]{6,64})`;
}

/** The query of `GET /containers/json` (or `/events`) with these filters, as dockerode encodes it. */
export function filtersQuery(filters: Record<string, readonly string[]>): string {
  return literal(stringify({ filters: JSON.stringify(filters) }));
}

/** A certificate name in a query (querystring leaves these characters as they are): no `.` or `..`, no slash. */
const LINEAGE_NAME = '[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}';

export function buildAllowlist(scope: AllowlistScope): AllowRule[] {
  const { project } = scope;
  const name = (service: string): string => containerName(project, service);
  const inspected = [...new Set([scope.certbotService, scope.nginxService, ...scope.inspectedServices])];
  const projectLabel = `${LABEL}=${project}`;
  const archive = (folder: string): string => literal(stringify({ path: folder }));
  return [
    { method: 'GET', url: `^${VERSION}/_ping$`, purpose: 'reach the engine; its API version (the first call, negotiated)' },
    ...inspected.map((service): AllowRule => ({
      method: 'GET',
      url: `^${VERSION}/containers/json[?]all=(?:true|false)&${filtersQuery({ label: [projectLabel, `${SERVICE_LABEL}=${service}`] })}$`,
      purpose: `find this project's ${service} container by its Compose labels`,
    })),
    ...inspected.map((service): AllowRule => ({
      method: 'GET',
      url: `^${VERSION}/containers/${name(service)}/json$`,
      purpose: `inspect this project's ${service} container (state, start time, networks, ports)`,
    })),
    {
      method: 'GET',
      url: `^${VERSION}/containers/json[?]all=(?:true|false)&${filtersQuery({ label: [scope.sitesLabel] })}$`,
      purpose: `list the containers of any project labelled ${scope.sitesLabel} (their labels, names, networks and ports; never inspected)`,
    },
    {
      method: 'GET',
      url: `^${VERSION}/events[?]${filtersQuery({ label: [scope.sitesLabel], type: ['container'], event: ['start', 'stop', 'die', 'destroy'] })}$`,
      purpose: `watch containers labelled ${scope.sitesLabel} start and stop`,
    },
    ...[scope.certbotService, scope.nginxService].map((service): AllowRule => ({
      method: 'POST',
      url: `^${VERSION}/containers/${name(service)}/exec$`,
      body: EXEC_BODY,
      purpose: `run a command in this project's ${service} container (not privileged, as its own user)`,
    })),
    { method: 'POST', url: `^${VERSION}/exec/${EXEC_ID}/start$`, purpose: 'start an exec certkit created, attached' },
    { method: 'GET', url: `^${VERSION}/exec/${EXEC_ID}/json$`, purpose: "read an exec's exit code" },
    {
      method: 'POST',
      url: `^${VERSION}/containers/${name(scope.nginxService)}/kill[?]signal=SIGHUP$`,
      purpose: 'reload nginx (SIGHUP)',
    },
    ...scope.archiveReads.map((folder): AllowRule => ({
      method: 'GET',
      url: `^${VERSION}/containers/${name(scope.certbotService)}/archive[?]${archive(folder)}$`,
      purpose: `read ${folder} of the certbot container (status, backup, deploy)`,
    })),
    ...scope.lineageReads.map((folder): AllowRule => ({
      method: 'GET',
      url: `^${VERSION}/containers/${name(scope.certbotService)}/archive[?]${archive(folder)}%2F${LINEAGE_NAME}$`,
      purpose: `read one certificate's folder in ${folder} of the certbot container (a site's deployed copy)`,
    })),
    ...scope.archiveWrites.map((folder): AllowRule => ({
      method: 'PUT',
      url: `^${VERSION}/containers/${name(scope.certbotService)}/archive[?]${archive(folder)}$`,
      purpose: `write into ${folder} of the certbot container (restore, import)`,
    })),
  ];
}

export interface ApiRequest {
  method: string;
  url: string;
  body?: string | undefined;
}

/** The rule that lets the request through, else undefined: what the proxy decides, in JavaScript. */
export function allowedBy(rules: readonly AllowRule[], request: ApiRequest): AllowRule | undefined {
  if (request.url.includes('..') || /%2f/i.test(request.url.split('?')[0] ?? '')) return undefined;
  const body = request.body ?? '';
  return rules.find(
    (rule) =>
      rule.method === request.method &&
      new RegExp(rule.url).test(request.url) &&
      (rule.body === undefined || (bodyFits(body) && new RegExp(rule.body).test(body))) &&
      (rule.refusedBodies === undefined ||
        (Buffer.byteLength(body) <= EXEC_BODY_LIMIT && !rule.refusedBodies.some((pattern) => new RegExp(pattern, 'i').test(body)))),
  );
}

/** Whether the proxy can match this body at all (EXEC_BODY_LIMIT, EXEC_BODY_ESCAPES); larger ones it refuses. */
export function bodyFits(body: string): boolean {
  return body.length <= EXEC_BODY_LIMIT && (body.match(/\\/g) ?? []).length <= EXEC_BODY_ESCAPES;
}

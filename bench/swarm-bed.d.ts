import type { Site } from '../src/sites/site.js';

export interface SwarmBed {
  name: string;
  dir: string | undefined;
  /** `NAME_nginx`, as Swarm names the stack's nginx service. */
  service: string;
  network: string;
  forwarder: string;
  site: Site;
  /** vip where the kernel has IPVS (Swarm's virtual IPs, its routing mesh), else dnsrr (DNS round robin). */
  endpointMode?: 'vip' | 'dnsrr';
  vip?: string;
  /** The forwarder's port on 127.0.0.1, in front of nginx's VIP (port 443). */
  port?: number;
  certbotExec(argv: string[], timeoutMs?: number): Promise<string>;
  certbotPython(script: string): Promise<string>;
  /** The CA's DNS answers every name with this address. */
  pointCaAt(ip: string): Promise<string>;
  /** The CA's DNS answers this one name with this address (a name that reaches no server: a site that fails). */
  caAnswers(host: string, ip: string): Promise<string>;
  issue(): Promise<string>;
  /** The lineage's files in certbot's store (default: the bed's site's). */
  readCertificate(certName?: string): Promise<{ fullchainPem: string; keyPem: string }>;
  /** The leaf each nginx replica serves for this name (default: the bed's site's first name). */
  servedByReplicas(name?: string): Promise<Array<{ container: string; ip: string; der: string }>>;
  /** `docker stack deploy` again with the same file and variables, as a user re-running it. */
  redeploy(): Promise<string>;
  httpGet(ip: string, path: string): Promise<string>;
}
export function docker(args: string[], options?: { timeoutMs?: number; env?: NodeJS.ProcessEnv }): Promise<string>;
export interface SwarmJoined {
  initialised: boolean;
  gwbridgeBefore: boolean;
}
export function ensureSwarm(): Promise<SwarmJoined>;
/** Leaves only a swarm ensureSwarm initialised. */
export function leaveSwarm(swarm: SwarmJoined | undefined): Promise<void>;
export function prepareSwarmBed(options: { site: Site }): SwarmBed;
export function deploySwarmBed(
  bed: SwarmBed,
  options: {
    images: Record<string, string>;
    legacy: boolean;
    renderNginx: (sites: Site[]) => Promise<string>;
    replicas?: number;
    /** More services for the stack file (compose syntax). */
    services?: Record<string, unknown>;
    /** nginx's update_config.monitor (the stack file's 10s otherwise). */
    monitor?: string;
    /** The certkit service's .env: given, the stack runs certkit's daemon; else the service is left out. */
    certkitEnv?: string;
    /** Changes the parsed stack file before it is deployed. */
    editStack?: (file: { services: Record<string, Record<string, unknown>> }) => void;
    /** More of the repo's stack files, each given to `docker stack deploy -c` after the bed's (compose.swarm-dns.yaml). */
    stackFiles?: string[];
    /** Variables for `docker stack deploy` beyond the bed's (what those files read from the shell). */
    deployEnv?: Record<string, string>;
    /** The stack network's subnet as `10.x.y` (a /24), so a plain container can take a fixed address on it. */
    subnet?: string;
    /** The DNS server Pebble asks, `IP:PORT` (default: the bed's pebble-challtestsrv). */
    pebbleDns?: string;
  },
): Promise<SwarmBed>;
/** A TCP forwarder for `node -e`: LISTEN_PORT (default 8443) to TARGET:TARGET_PORT. */
export const FORWARDER: string;
export function nginxReplicas(bed: SwarmBed): Promise<Array<{ container: string; ip: string }>>;
export function serviceContainer(service: string): Promise<string>;
export function removeSwarmBed(bed: SwarmBed): Promise<void>;

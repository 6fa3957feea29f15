import type { Version } from '../certbot/certbot-version.js';
import type { DeployedSerials } from '../store/deployed-copies.js';
import type { Config } from '../config/config.js';
import type { Engine, ServiceContainer } from '../docker/engine.js';
import type { Logger } from '../log.js';
import type { Sleep } from '../wait-for.js';
import type { SweepStore } from './sweep-store.js';
import type { ConfigProbe, Probe, ServedName } from './ensure-served.js';

export interface UpdateContext {
  engine: Engine;
  config: Config;
  project: string;
  projectDir: string;
  log: Logger;
  now: () => Date;
  sleep: Sleep;
  /** How nginx is asked which certificate it serves (default: a TLS handshake). */
  probe?: Probe;
  /** How nginx is asked which rendering it runs (default: HTTP on its port 80). */
  configProbe?: ConfigProbe;
  /**
   * Reads the configuration again once the lock is held (the daemon passes one): a run that waited for another never
   * acts on a .env read before that run changed it.
   */
  reloadConfig?: () => Promise<Config>;
  /** certkit's own container when it runs inside the stack. */
  self: ServiceContainer | undefined;
  lockWaitMs: number;
  /** The deploy folder's serials, read once for a run of many sites (a site that deploys reads them again). */
  deployedSerials?: Promise<DeployedSerials | undefined>;
  /** The store as the sweep read it once (lineages, the CA's renewal windows); without it each site reads its own. */
  sweep?: SweepStore;
  /** The test CA's DNS pointed at nginx in this sweep, by nginx's address: once per sweep, not once per site. */
  pebbleDnsPointed?: Map<string, Promise<void>>;
  /** nginx's address the test CA validates at, asked of the engine once per sweep (a failure is asked again). */
  pebbleAddress?: { asked?: Promise<string> };
  /**
   * Each due site's share of the sweep's one preflight (certifySweep), by certificate name: rejected with the site's
   * own PREFLIGHT_FAILED. A site without an entry checks its names itself.
   */
  preflighted?: Map<string, Promise<void>>;
  /** The .env file's path, for messages about the site it declares. */
  envFile?: string;
  /**
   * certbot versions already read, by container id and start time: the daemon keeps one for its whole life, so
   * certbot's Python start-up (a second or more) runs once per container, not at every check.
   */
  certbotVersions?: Map<string, Version>;
}

export interface UpdateOptions {
  force?: boolean;
  dryRun?: boolean;
  staging?: boolean;
  /** Who runs this, for the lock's message ("certkit update", "certkit daemon"). */
  purpose: string;
  /** The sites to act on (`update SITE...`); undefined: every site. */
  sites?: readonly string[];
  /** Why a site waits this run (the daemon's per-site backoff); such a site is served as it is, not worked on. */
  waiting?: (site: string) => string | undefined;
  /**
   * The daemon's: the .env site's own failure (or its wait out a backoff) is returned in the result (`failure`,
   * `waiting`) instead of thrown, so that it backs off alone like every other site. `update` throws it (exit 1).
   */
  envFailureInResult?: boolean;
}

export interface UpdateResult {
  certName: string;
  domains: string[];
  /**
   * skipped: `update SITE...` named other sites only, or (the daemon, envFailureInResult) the .env site failed
   * (`failure`) or waits out its backoff (`waiting`).
   */
  action: 'issued' | 'reissued' | 'renewed' | 'unchanged' | 'dry-run' | 'skipped';
  reasons: string[];
  serial: string | undefined;
  notAfter: Date | undefined;
  /** The ACME profile renewals request: as saved by certbot >= 4.1, else as configured (certkit passes it to 4.0). */
  profile: string | undefined;
  /** The serial nginx presents for each name after the run. */
  served: ServedName[];
  reloaded: boolean;
  rendered: string[];
  /** The sites beyond the .env one (labels, the sites file), each with its own result or error. */
  others?: SiteOutcome[];
  /** Declarations refused, one line each (where, the key, the value, the fix); the other sites went on. */
  refused?: string[];
  /** The .env site's own failure this run, with envFailureInResult (else it is thrown). */
  failure?: { code: string | undefined; message: string };
  /** Why the .env site was not worked on this run (backing off after its failures), with envFailureInResult. */
  waiting?: string;
}

/** What became of one of the other sites in a run: its result, or the error that stopped it (and it alone). */
export interface SiteOutcome {
  site: string;
  names: string[];
  /** Where the site was declared, in words. */
  declaredIn: string[];
  result?: UpdateResult;
  error?: { code: string | undefined; message: string };
  /** Why it was not worked on this run (backing off after failures). */
  skipped?: string;
}

import type { Engine } from '../docker/engine.js';
import { CertkitError } from '../errors.js';
import type { Logger } from '../log.js';
import { parseCertbotVersion, type Version } from './certbot-version.js';
import { parseCertbotFailure } from './parse-certbot-failure.js';
import { parseCertbotPlugins, type CertbotPlugin } from './parse-certbot-plugins.js';
import { CONTAINER_PATHS, DEPLOY_HOOK, livePathFor, renewalConfPathFor } from '../stack/layout.js';
import type { CertbotPlan, ExistingCertificate } from './plan-certbot-run.js';
import { lineageFromFiles } from './store-lineage.js';

/** $1 path, $2 text. */
export const WRITE_FILE_SCRIPT = 'printf %s "$2" > "$1"';

// Lists the certbot plugins a folder declares by reading the packages' metadata as text: nothing in it is imported,
// so an untrusted plugin's code never runs.
const FOLDER_PLUGINS_SCRIPT = `
import json, os, re, sys
folder, found = sys.argv[1], []
for entry in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
    if not entry.endswith((".dist-info", ".egg-info")):
        continue
    base = os.path.join(folder, entry)
    meta = {}
    for name in ("METADATA", "PKG-INFO"):
        if os.path.isfile(os.path.join(base, name)):
            for line in open(os.path.join(base, name), encoding="utf-8", errors="replace"):
                match = re.match(r"(Name|Version): (.*)", line)
                if match: meta.setdefault(match.group(1), match.group(2).strip())
    points, section = os.path.join(base, "entry_points.txt"), ""
    for line in open(points, encoding="utf-8", errors="replace") if os.path.isfile(points) else []:
        line = line.strip()
        if line.startswith("["): section = line
        elif section == "[certbot.plugins]" and "=" in line:
            found.append({"name": line.split("=", 1)[0].strip(), "distribution": meta.get("Name", entry), "version": meta.get("Version", "")})
print(json.dumps(found))
`;

/** A plugin the plugins folder declares, read from its package metadata without loading it. */
export interface FolderPlugin {
  name: string;
  distribution: string;
  version: string;
}

/** A certbot run may wait on the CA for a while, but never forever. */
const CERTBOT_TIMEOUT_MS = 10 * 60_000;

/** Operations inside the certbot container, all through exec with argv arrays: no value passes through a shell. */
export class CertbotContainer {
  constructor(
    private readonly engine: Engine,
    readonly containerId: string,
    private readonly log: Logger,
    /** Put the plugins folder on certbot's Python path (CERTBOT_TRUSTED_PLUGINS names a plugin from it). */
    private readonly options: { pluginPath?: boolean } = {},
  ) {}

  /** The environment certbot runs with: the plugins folder on its Python path only when the user trusts it. */
  private certbotEnv(): string[] {
    return this.options.pluginPath ? [`PYTHONPATH=${CONTAINER_PATHS.plugins}`] : [];
  }

  /** The plugins the plugins folder (CERTBOT_PLUGINS_DIR) declares, trusted or not. */
  async folderPlugins(): Promise<FolderPlugin[]> {
    return JSON.parse(await this.python(FOLDER_PLUGINS_SCRIPT, [CONTAINER_PATHS.plugins])) as FolderPlugin[];
  }

  async version(): Promise<Version> {
    const result = await this.engine.exec(this.containerId, ['certbot', '--version']);
    const version = parseCertbotVersion(`${result.stdout}\n${result.stderr}`);
    if (result.exitCode !== 0 || !version) {
      throw new CertkitError(
        'EXEC_FAILED',
        `could not run certbot in the certbot container: ${(result.stderr || result.stdout).trim() || `exit ${result.exitCode}`}. Check CERTBOT_IMAGE.`,
      );
    }
    return version;
  }

  /** The authenticators and installers the image carries, as `certbot plugins` lists them. */
  async plugins(): Promise<CertbotPlugin[]> {
    const result = await this.engine.exec(this.containerId, ['certbot', 'plugins'], { timeoutMs: 120_000, env: this.certbotEnv() });
    if (result.exitCode !== 0) {
      const failure = parseCertbotFailure(`${result.stdout}\n${result.stderr}`);
      if (failure.kind === 'lock') throw certbotError(failure, result.exitCode);
      throw new CertkitError(
        'EXEC_FAILED',
        `\`certbot plugins\` failed in the certbot container: ${(result.stderr || result.stdout).trim() || `exit ${result.exitCode}`}. Check CERTBOT_IMAGE.`,
      );
    }
    return parseCertbotPlugins(result.stdout);
  }

  /** A text file's content (following symlinks), or undefined when it does not exist. */
  async readFile(path: string): Promise<string | undefined> {
    const result = await this.engine.exec(this.containerId, ['cat', path]);
    return result.exitCode === 0 ? result.stdout : undefined;
  }

  /** Writes a small text file (no shell sees the text: it is an argument). */
  async writeFile(path: string, text: string): Promise<void> {
    const result = await this.engine.exec(this.containerId, ['sh', '-c', WRITE_FILE_SCRIPT, 'sh', path, text]);
    if (result.exitCode !== 0)
      throw new CertkitError('EXEC_FAILED', `could not write ${path} in the certbot container: ${result.stderr.trim()}`);
  }

  /** The certificate certbot holds under this name, or undefined when there is none (or it is unreadable). */
  async readLineage(certName: string): Promise<ExistingCertificate | undefined> {
    const [pem, conf] = await Promise.all([this.readFile(livePathFor(certName, 'cert.pem')), this.readFile(renewalConfPathFor(certName))]);
    return lineageFromFiles(pem, conf, () => this.warnUnreadable(certName));
  }

  /** Said when live/NAME/cert.pem holds no readable certificate: the lineage is then treated as missing. */
  warnUnreadable(certName: string): void {
    this.log.warn(
      `${livePathFor(certName, 'cert.pem')} is not a readable certificate; treating ${certName} as missing (run \`certkit doctor\`)`,
    );
  }

  /** Runs the planned certbot command, streaming its output to the log; throws a CertkitError on failure. */
  async runCertbot(plan: Pick<CertbotPlan, 'argv' | 'dryRun' | 'insecureCa'>): Promise<string> {
    const { argv } = plan;
    this.log.info(`certbot ${argv[0]} ${plan.dryRun ? '(dry run) ' : ''}…`);
    if (plan.insecureCa) this.log.info("  (the local test CA's own TLS certificate is not verified)");
    const result = await this.engine.exec(this.containerId, ['certbot', ...argv], {
      timeoutMs: CERTBOT_TIMEOUT_MS,
      // The local test CA's TLS certificate is not trusted on purpose (--no-verify-ssl); one line says so, not each request.
      env: [...(plan.insecureCa ? ['PYTHONWARNINGS=ignore:Unverified HTTPS request'] : []), ...this.certbotEnv()],
      onOutput: (text) => {
        for (const line of text.split('\n')) if (line.trim() !== '') this.log.info(`  certbot: ${line.trimEnd()}`);
      },
    });
    const output = `${result.stdout}\n${result.stderr}`;
    if (result.exitCode === 0) return output;
    // Some certbot versions hide the CA's answer behind an internal error on the terminal; its log has it.
    const logged = await this.engine.exec(this.containerId, ['tail', '-n', '400', '/var/log/letsencrypt/letsencrypt.log']);
    const caErrors = logged.stdout
      .split('\n')
      .filter((line) => line.includes('urn:ietf:params:acme:error'))
      .slice(-3);
    throw certbotError(parseCertbotFailure([output, ...caErrors].join('\n')), result.exitCode);
  }

  /** Publishes the lineage to the deploy folder with the same hook certbot runs after each renewal. */
  async runDeployHook(certName: string): Promise<void> {
    const lineage = livePathFor(certName, 'cert.pem').replace(/\/cert\.pem$/, '');
    const result = await this.engine.exec(this.containerId, ['/bin/sh', DEPLOY_HOOK], { env: [`RENEWED_LINEAGE=${lineage}`] });
    if (result.exitCode !== 0) {
      throw new CertkitError('EXEC_FAILED', `the deploy hook failed for ${certName}: ${(result.stderr || result.stdout).trim()}`);
    }
  }

  /** Moves this CA's accounts aside (never deleting them) so the next certonly registers a new account. */
  async setAccountsAside(serverUrl: string, suffix: string): Promise<void> {
    const url = new URL(serverUrl);
    const folder = `${CONTAINER_PATHS.letsencrypt}/accounts/${url.host}`;
    await this.engine.exec(this.containerId, ['mv', folder, `${folder}.certkit-stale-${suffix}`]);
  }

  /** Runs a Python script with arguments (certbot images always have Python); returns stdout. */
  async python(script: string, args: readonly string[]): Promise<string> {
    const result = await this.engine.exec(this.containerId, ['python3', '-c', script, ...args], { timeoutMs: 60_000 });
    if (result.exitCode !== 0)
      throw new CertkitError('EXEC_FAILED', `a helper script failed in the certbot container: ${result.stderr.trim()}`);
    return result.stdout;
  }
}

function certbotError(failure: ReturnType<typeof parseCertbotFailure>, exitCode: number): CertkitError {
  const detail = failure.detail.map((line) => `  ${line}`).join('\n');
  switch (failure.kind) {
    case 'rate-limited': {
      const retry = failure.retryAfter ? ` Retry after ${failure.retryAfter.toISOString()}.` : '';
      return new CertkitError(
        'CA_REFUSED',
        `The CA refused: rate limited.${retry} Test with CERTBOT_SERVER=staging or --dry-run meanwhile.\n${detail}`,
        { details: failure.detail },
      );
    }
    case 'validation':
      return new CertkitError(
        'CA_REFUSED',
        `The CA could not validate the names. Check that each name's DNS points at this server and port 80 reaches nginx from the internet (HTTP-01), or, with CERTBOT_CHALLENGE=dns, that the plugin's credentials may change the zone and CERTBOT_DNS_PROPAGATION_SECONDS gives the record time to reach every DNS server of the zone.\n${detail}`,
        { details: failure.detail },
      );
    case 'profile':
      return new CertkitError(
        'CA_REFUSED',
        `The CA does not offer the ACME profile CERTBOT_PROFILE asks for. Set CERTBOT_PROFILE to a profile the CA lists (Let's Encrypt: classic, tlsserver, shortlived), or leave it empty for the CA's default.\n${detail}`,
        { details: failure.detail },
      );
    case 'lock':
      return new CertkitError(
        'LOCK_HELD',
        `certbot is already running in the certbot container (started outside certkit?); try again when it has finished.\n${detail}`,
      );
    case 'account':
      return new CertkitError(
        'CA_ACCOUNT_UNKNOWN',
        `The CA does not know certbot's account (deactivated, or the CA was reset). Move the folder for this CA under /etc/letsencrypt/accounts/ aside in the certbot container and run \`certkit update --force\` to register a new one.\n${detail}`,
        { details: failure.detail },
      );
    case 'store':
      return new CertkitError(
        'STORE_INVALID',
        `certbot cannot use its certificate store: the live/ files are not the symlinks into archive/ it needs (copies or hardlinks made by hand, or links broken by a partial copy). Run \`certkit doctor\` to see what is wrong, then \`certkit doctor --fix\` to repair it (it keeps every file and version), and run the update again.\n${detail}`,
        { details: failure.detail },
      );
    default:
      return new CertkitError('CERTBOT_FAILED', `certbot failed (exit ${exitCode}):\n${detail}`, { details: failure.detail });
  }
}

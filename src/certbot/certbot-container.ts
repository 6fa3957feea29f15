import type { Engine } from '../docker/engine.js';
import { CertkitError } from '../errors.js';
import type { Logger } from '../log.js';
import { readCertificateInfo } from '../certs/read-certificate.js';
import { parseCertbotVersion, type Version } from './certbot-version.js';
import { parseCertbotFailure } from './parse-certbot-failure.js';
import { CONTAINER_PATHS, DEPLOY_HOOK, livePathFor, renewalConfPathFor } from '../stack/layout.js';
import type { CertbotPlan, ExistingCertificate } from './plan-certbot-run.js';
import { parseRenewalConf } from '../store/renewal-conf.js';

/** $1 path, $2 text. */
export const WRITE_FILE_SCRIPT = 'printf %s "$2" > "$1"';

/** A certbot run may wait on the CA for a while, but never forever. */
const CERTBOT_TIMEOUT_MS = 10 * 60_000;

/** Operations inside the certbot container, all through exec with argv arrays: no value passes through a shell. */
export class CertbotContainer {
  constructor(
    private readonly engine: Engine,
    readonly containerId: string,
    private readonly log: Logger,
  ) {}

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
    if (pem === undefined) return undefined;
    let info;
    try {
      info = readCertificateInfo(pem);
    } catch {
      this.log.warn(
        `${livePathFor(certName, 'cert.pem')} is not a readable certificate; treating ${certName} as missing (run \`certkit doctor\`)`,
      );
      return undefined;
    }
    return {
      domains: info.domains,
      notBefore: info.notBefore,
      notAfter: info.notAfter,
      serial: info.serial,
      renewal: conf === undefined ? undefined : parseRenewalConf(conf),
    };
  }

  /** Runs the planned certbot command, streaming its output to the log; throws a CertkitError on failure. */
  async runCertbot(plan: Pick<CertbotPlan, 'argv' | 'dryRun' | 'insecureCa'>): Promise<string> {
    const { argv } = plan;
    this.log.info(`certbot ${argv[0]} ${plan.dryRun ? '(dry run) ' : ''}…`);
    if (plan.insecureCa) this.log.info("  (the local test CA's own TLS certificate is not verified)");
    const result = await this.engine.exec(this.containerId, ['certbot', ...argv], {
      timeoutMs: CERTBOT_TIMEOUT_MS,
      // The local test CA's TLS certificate is not trusted on purpose (--no-verify-ssl); one line says so, not each request.
      env: plan.insecureCa ? ['PYTHONWARNINGS=ignore:Unverified HTTPS request'] : [],
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
        `The CA could not validate the names. Check that each name's DNS points at this server and port 80 reaches nginx from the internet.\n${detail}`,
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

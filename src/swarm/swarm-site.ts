import type { CertbotContainer } from '../certbot/certbot-container.js';
import { formatVersion, type Version } from '../certbot/certbot-version.js';
import { planCertbotRun } from '../certbot/plan-certbot-run.js';
import { readRenewalWindows } from '../certbot/read-renewal-window.js';
import { certbotNeeded } from '../certbot/sweep-decision.js';
import { readCertificateInfo } from '../certs/read-certificate.js';
import type { Config } from '../config/config.js';
import { CertkitError } from '../errors.js';
import type { Logger } from '../log.js';
import { configForSite } from '../sites/env-site.js';
import type { Site } from '../sites/site.js';
import { livePathFor } from '../stack/layout.js';
import { runCheckedPlan } from '../update/run-plan.js';
import type { Sleep } from '../wait-for.js';
import type { SiteCertificate } from './rotate-site.js';
import { secretTarget, secretVersionName } from './secret-name.js';
import { swarmCertbotFixes } from './swarm-certbot-fixes.js';
import { decideSecret, withoutDeployHook, type SecretDecision } from './serving-plan.js';
import type { StackApi } from './swarm-api.js';

export interface SwarmSiteRun {
  api: StackApi;
  certbot: CertbotContainer;
  version: Version;
  config: Config;
  stack: string;
  /** The nginx service, as Swarm names it. */
  nginxService: string;
  /** An nginx task's address the certbot task reaches, for the test CA's DNS (CERTBOT_SERVER=pebble, HTTP-01 only). */
  nginxAddressForPebble: () => Promise<string>;
  force: boolean;
  dryRun: boolean;
  /** Why the site waits this run (its backoff): no certbot; what the store holds is served as it is. */
  waiting?: string | undefined;
  now: () => Date;
  sleep: Sleep;
  log: Logger;
}

export interface SwarmSiteResult {
  action: 'issued' | 'reissued' | 'renewed' | 'unchanged' | 'dry-run';
  reasons: string[];
  serial: string | undefined;
  notAfter: Date | undefined;
  /** The secret version the nginx service mounts for the site after the run. */
  secret: string | undefined;
  /** What this run did to the nginx service for the site. */
  serving: SecretDecision['action'] | undefined;
  removed: string[];
  /** The certificate to roll out, when the service does not mount it (not part of the result reported). */
  pending?: SiteCertificate;
}

/**
 * One site on Swarm: certbot when due and the site is not waiting out a backoff (by exec in the certbot task on this node), then the site's secret version the
 * nginx service mounts compared with the certificate in the store: to rotate in after an issuance or renewal, to put
 * back without a new certificate when the service mounts none (a `docker stack deploy` again), left alone when current.
 * What is to roll out comes back as `pending`: the sweep rolls every site's out in one service update. Undefined for a
 * waiting site the store has no certificate for: nothing to run, nothing to serve.
 */
export async function updateSwarmSite(run: SwarmSiteRun, site: Site): Promise<SwarmSiteResult | undefined> {
  const { certbot, log } = run;
  const config = configForSite(run.config, site);
  const before = await certbot.readLineage(config.certName);
  if (run.waiting && !before) return undefined;
  const renewalWindow =
    before && !run.dryRun && !run.waiting
      ? (
          await readRenewalWindows(
            certbot,
            [{ certName: config.certName, directoryUrl: before.renewal?.server ?? config.server.url }],
            log,
            run.now,
          )
        ).get(config.certName)?.window
      : undefined;
  const plan = planCertbotRun({
    config,
    existing: before,
    certbot: run.version,
    now: run.now(),
    renewalWindow,
    force: run.force,
    dryRun: run.dryRun,
  });
  const runs = !run.waiting && certbotNeeded(plan, before);
  const reasons = run.waiting ? [`waits: ${run.waiting}`] : plan.reasons;
  log.info(`site ${site.id}: ${runs ? plan.action : 'keep'} (${reasons.join('; ')}) with certbot ${formatVersion(run.version)}`);
  if (runs) {
    // The same checks as on Compose (the DNS plugin and credentials, or the HTTP preflight through an nginx task), then
    // certbot. No deploy folder on Swarm: the certificate reaches nginx as a secret, so certbot runs no deploy hook.
    await runCheckedPlan(
      {
        config,
        certbot,
        log,
        now: run.now,
        nginxAddressForPebble: run.nginxAddressForPebble,
        argv: withoutDeployHook,
        fixes: swarmCertbotFixes(run.stack),
      },
      plan,
      { dryRun: run.dryRun },
    );
  }
  if (run.dryRun) {
    return {
      action: 'dry-run',
      reasons,
      serial: before?.serial,
      notAfter: before?.notAfter,
      secret: undefined,
      serving: undefined,
      removed: [],
    };
  }
  const [fullchainPem, keyPem] = await Promise.all([
    certbot.readFile(livePathFor(config.certName, 'fullchain.pem')),
    certbot.readFile(livePathFor(config.certName, 'privkey.pem')),
  ]);
  if (!fullchainPem || !keyPem) {
    throw new CertkitError(
      'CERTBOT_FAILED',
      `site ${site.id}: certbot's store holds no certificate and key for ${config.certName}; run \`certkit doctor\``,
    );
  }
  const leaf = readCertificateInfo(fullchainPem);
  const action =
    before === undefined ? 'issued' : before.serial === leaf.serial ? 'unchanged' : plan.action === 'reissue' ? 'reissued' : 'renewed';
  const { name } = secretVersionName(run.stack, site.id, fullchainPem);
  const service = await run.api.inspectService(run.nginxService);
  const decision = decideSecret(service.secrets, secretTarget(site.id), name, action !== 'unchanged');
  if (decision.action === 'current') {
    return { action, reasons, serial: leaf.serial, notAfter: leaf.notAfter, secret: name, serving: 'current', removed: [] };
  }
  log.info(`site ${site.id}: ${decision.reason}`);
  // Rolled out with the sweep's other sites and nginx.conf in one service update (src/swarm/swarm-update.ts).
  return {
    action,
    reasons,
    serial: leaf.serial,
    notAfter: leaf.notAfter,
    secret: name,
    serving: decision.action,
    removed: [],
    pending: { stack: run.stack, siteId: site.id, fullchainPem, keyPem, serial: leaf.serial, notAfter: leaf.notAfter },
  };
}

import { planCertbotRun } from '../certbot/plan-certbot-run.js';
import type { Version } from '../certbot/certbot-version.js';
import type { Config } from '../config/config.js';
import type { Engine, ServiceContainer } from '../docker/engine.js';
import { CertkitError } from '../errors.js';
import type { Logger } from '../log.js';
import { CONTAINER_PATHS } from '../stack/layout.js';
import type { CertificateReport } from '../store/analyze-store.js';
import { analyzeStore } from '../store/analyze-store.js';
import { assertArchiveSafe } from '../store/archive-safety.js';
import { planImport, type ImportPlan } from '../store/plan-import.js';
import { readTarSnapshot, type TarItem } from '../store/read-tar-snapshot.js';
import { parseRenewalConf } from '../store/renewal-conf.js';
import type { StoreSnapshot } from '../store/snapshot.js';
import { repack } from './backup-restore.js';
import { createContainerStoreWriter } from './container-store-writer.js';
import { runDoctor } from './doctor.js';
import { readDirSnapshot } from './read-dir-snapshot.js';

export interface ImportSource {
  dir: string;
  snapshot: StoreSnapshot;
  reports: CertificateReport[];
}

/**
 * Reads a certbot config dir (every file's bytes: accounts are JSON) and checks it as `certkit doctor` would. A store
 * with problems is refused with doctor's findings: importing would carry them into certkit's store.
 */
export async function readImportSource(dir: string, now: Date, log: Logger): Promise<ImportSource> {
  const snapshot = await readDirSnapshot(dir, { keepContent: () => true });
  const source = { describe: dir, certbot: undefined, readSnapshot: async () => snapshot, readDeployedSerials: async () => undefined };
  const doctor = await runDoctor({ source, now, log });
  if (doctor.problems.length > 0) {
    throw new CertkitError(
      'STORE_INVALID',
      [
        `${dir} is not a healthy certbot store; nothing was imported. \`certkit doctor --store ${dir}\` found:`,
        ...doctor.problems.map((problem) => `  ${problem}`),
        ...(doctor.changes.length > 0
          ? [`\`certkit doctor --store ${dir} --fix\` would:`, ...doctor.changes.map((change) => `  ${change}`)]
          : []),
      ].join('\n'),
      { details: doctor.problems },
    );
  }
  const reports = analyzeStore(snapshot, { now });
  if (reports.length === 0)
    throw new CertkitError(
      'STORE_INVALID',
      `${dir} holds no certificate (no renewal/, live/ or archive/ entries): give certbot's config dir, such as /etc/letsencrypt.`,
    );
  return { dir, snapshot, reports };
}

/**
 * Refuses an import the configuration would not keep: CERTBOT_CERT_NAME must be one of the imported certificates,
 * and the next `certkit update` must renew it, not reissue it (other names, CA or key type in .env would do that).
 */
export function checkImportAgainstConfig(input: {
  config: Config;
  source: ImportSource;
  plan: ImportPlan;
  certbot: Version;
  now: Date;
}): CertificateReport {
  const { config } = input;
  const report = input.source.reports.find((candidate) => candidate.name === config.certName);
  if (report === undefined) {
    throw new CertkitError(
      'CONFIG_INVALID',
      `CERTBOT_CERT_NAME is "${config.certName}", which is none of the certificates in ${input.source.dir} (${input.plan.lineages.join(', ')}); nothing was imported. Set CERTBOT_CERT_NAME (and CERTBOT_DOMAIN) in .env to the one certkit should keep renewing.`,
    );
  }
  const conf = input.plan.entries.find((entry) => entry.path === `renewal/${report.name}.conf`)?.content;
  const existing =
    report.serial === null || report.notBefore === null || report.notAfter === null
      ? undefined
      : {
          domains: report.domains,
          notBefore: report.notBefore,
          notAfter: report.notAfter,
          serial: report.serial,
          renewal: conf === undefined ? undefined : parseRenewalConf(conf.toString('utf8')),
        };
  const next = planCertbotRun({ config, existing, certbot: input.certbot, now: input.now });
  if (next.action === 'reissue' || next.action === 'issue') {
    throw new CertkitError(
      'CONFIG_INVALID',
      `with this .env the next \`certkit update\` would replace the imported ${report.name} with a new certificate (${next.reasons.join('; ')}); nothing was imported. Make .env describe the certificate you import (its names: ${report.domains.join(',')}; its CA: ${existing?.renewal?.server ?? 'unknown'}; CERTBOT_KEY_TYPE, CERTBOT_PROFILE), then import again.`,
    );
  }
  return report;
}

/** certkit's store as it is now (through the Docker archive API; works with certbot idle). */
export async function readTargetStore(engine: Engine, certbot: ServiceContainer): Promise<StoreSnapshot> {
  return readTarSnapshot(await engine.getArchive(certbot.name, CONTAINER_PATHS.letsencrypt));
}

/** Plans the import and refuses lineages the store already has, unless `force` (they are then set aside, not deleted). */
export function planStoreImport(source: ImportSource, target: StoreSnapshot, options: { force: boolean; now: Date }): ImportPlan {
  const plan = planImport(source.snapshot, target, { force: options.force, stamp: options.now.toISOString().replace(/[:.]/g, '-') });
  if (plan.conflicts.length > 0 && !options.force) {
    throw new CertkitError(
      'USAGE',
      `certkit's store already holds ${plan.conflicts.join(', ')}; nothing was imported. Back it up (\`certkit backup\`), then import with --force: the existing files are moved to /etc/letsencrypt/certkit-replaced/ and the imported ones take their place.`,
    );
  }
  assertArchiveSafe(plan.entries.map((entry) => ({ path: entry.path, type: entry.type, linkTarget: entry.linkTarget })));
  return plan;
}

/** Sets replaced lineages aside, then writes every entry in order through the Docker archive API, owned by root. */
export async function writeImport(engine: Engine, certbot: ServiceContainer, plan: ImportPlan): Promise<void> {
  const writer = createContainerStoreWriter(engine, certbot.name);
  for (const move of plan.setAside) await writer.rename(move.from, move.to);
  const items: TarItem[] = plan.entries.map((entry) => ({
    path: entry.path,
    linkTarget: undefined,
    header: {
      name: entry.path,
      type: entry.type,
      mode: entry.mode,
      uid: 0,
      gid: 0,
      mtime: entry.mtime,
      uname: 'root',
      gname: 'root',
      devmajor: 0,
      devminor: 0,
      linkname: entry.type === 'symlink' ? (entry.linkTarget ?? '') : '',
      size: entry.type === 'file' ? (entry.content?.length ?? 0) : 0,
    },
    ...(entry.content === undefined ? {} : { content: entry.content }),
  }));
  await engine.putArchive(certbot.name, CONTAINER_PATHS.letsencrypt, await repack(items));
}

import { daysLeft, pemBlockToDer, readCertificateInfoDer, splitPemCertificates } from '../certs/read-certificate.js';
import type { CertificateInfo } from '../certs/read-certificate.js';
import { keyMatchesCertificate } from './compare-key.js';
import { describeLiveProblems } from './describe-live-problems.js';
import { explainDuplicate, findDuplicateBase } from './find-duplicates.js';
import { findLooseKeys } from './find-loose-keys.js';
import { inspectLiveFiles, readLiveContent } from './inspect-live.js';
import { parseCertbotVersion } from '../certbot/certbot-version.js';
import { renewalDueAt } from '../certbot/renewal-due.js';
import { checkRenewalConf, parseRenewalConf, type RenewalConf } from './renewal-conf.js';
import type { StoreSnapshot } from './snapshot.js';
import { readContent } from './snapshot.js';
import type { LineageIndex } from './store-layout.js';
import { indexLineages, listCompleteVersions } from './store-layout.js';

/** What certkit shows about one certificate name in the store, and what is wrong with it. */
export interface CertificateReport {
  name: string;
  domains: string[];
  notBefore: Date | null;
  notAfter: Date | null;
  /** When renewal is planned (certbot's rule for the version that wrote the renewal conf; certbot >= 4.0's when unknown). */
  renewalAt: Date | null;
  /** Inside its validity period now. */
  valid: boolean;
  daysLeft: number | null;
  serial: string | null;
  issuer: string | null;
  keyType: string | null;
  /** Complete archive versions (all four files readable). */
  versions: number;
  newestVersion: number | null;
  /** 'ok', or a short description of what stands in live/NAME/ instead of four links to the newest version. */
  live: string;
  renewal: RenewalConf | null;
  problems: string[];
}

export interface AnalyzeOptions {
  now: Date;
}

/** One report per certificate name found in renewal/, live/ or archive/, sorted by name. */
export function analyzeStore(snapshot: StoreSnapshot, options: AnalyzeOptions): CertificateReport[] {
  const reports = [...indexLineages(snapshot).values()].map((lineage) => analyzeLineage(snapshot, lineage, options.now));
  const byName = new Map(reports.map((report) => [report.name, report]));
  const names = new Set(byName.keys());
  for (const report of reports) {
    const base = byName.get(findDuplicateBase(report.name, names) ?? '');
    if (base !== undefined) report.problems.push(explainDuplicate(report, base));
  }
  return reports;
}

function analyzeLineage(snapshot: StoreSnapshot, lineage: LineageIndex, now: Date): CertificateReport {
  const { name } = lineage;
  const complete = listCompleteVersions(snapshot, lineage);
  const newest = complete.at(-1) ?? null;
  const states = inspectLiveFiles(snapshot, lineage);
  const live = describeLiveProblems(lineage, states, newest);
  const problems = [...live.problems];

  // What a web server would serve today; when live/ is broken, the newest archive version stands in.
  const fallback = (kind: 'cert' | 'privkey') =>
    newest === null ? undefined : readContent(snapshot, `archive/${name}/${kind}${newest}.pem`);
  const certPem = readLiveContent(snapshot, name, 'cert', states.cert) ?? fallback('cert');
  const keyPem = readLiveContent(snapshot, name, 'privkey', states.privkey) ?? fallback('privkey');
  const parsed = certPem === undefined ? null : parseCertificate(certPem.toString('utf8'));
  const info = parsed?.info ?? null;
  if (certPem !== undefined && parsed === null)
    problems.push(`live/${name}/cert.pem is not a readable PEM certificate; relink it to an archive version or reissue.`);
  if (parsed !== null && keyPem !== undefined) {
    const verdict = compareKey(parsed.der, keyPem);
    if (verdict !== null)
      problems.push(
        `live/${name}/privkey.pem ${verdict}: a web server refuses to start with this pair. Link cert.pem and privkey.pem to the same archive version.`,
      );
  }

  const renewalText = lineage.renewalPath === null ? undefined : readContent(snapshot, lineage.renewalPath);
  const conf = renewalText === undefined ? null : parseRenewalConf(renewalText.toString('utf8'));
  if (lineage.renewalPath === null) {
    problems.push(
      `renewal/${name}.conf is missing, so "certbot renew" ignores this certificate${info === null ? '' : ` and it expires on ${isoDay(info.notAfter)}`}; restore the file from a backup, or reissue with "certbot certonly --cert-name ${name} ${info?.domains.map((d) => `-d ${d}`).join(' ') ?? '-d …'}".`,
    );
  } else if (conf !== null) {
    problems.push(...checkRenewalConf(snapshot, lineage, conf));
  }
  problems.push(...findLooseKeys(snapshot, lineage));

  const left = info === null ? null : daysLeft(info.notAfter, now);
  if (info !== null && left !== null && info.notAfter.getTime() <= now.getTime()) {
    problems.push(
      `The certificate expired on ${isoDay(info.notAfter)}; browsers reject it. Run "certbot renew --cert-name ${name}"${lineage.renewalPath === null ? ' once renewal/' + name + '.conf is back' : ''}, then reload the web server.`,
    );
  }
  return {
    name,
    domains: info?.domains ?? [],
    notBefore: info?.notBefore ?? null,
    notAfter: info?.notAfter ?? null,
    renewalAt: info === null ? null : plannedRenewal(info, conf),
    valid: info !== null && info.notBefore.getTime() <= now.getTime() && now.getTime() < info.notAfter.getTime(),
    daysLeft: left,
    serial: info?.serial ?? null,
    issuer: info?.issuer ?? null,
    keyType: info?.keyType ?? null,
    versions: complete.length,
    newestVersion: newest,
    live: live.summary,
    renewal: conf,
    problems,
  };
}

function plannedRenewal(info: CertificateInfo, conf: RenewalConf | null): Date {
  const version = parseCertbotVersion(`certbot ${conf?.version ?? '4.0.0'}`) ?? [4, 0, 0];
  return renewalDueAt(info, version);
}

function parseCertificate(pem: string): { der: Buffer; info: CertificateInfo } | null {
  const first = splitPemCertificates(pem)[0];
  if (first === undefined) return null;
  try {
    const der = pemBlockToDer(first);
    return { der, info: readCertificateInfoDer(der) };
  } catch {
    return null;
  }
}

/** Null when the key is the certificate's; otherwise a phrase saying what is wrong. Never echoes key material. */
function compareKey(certDer: Buffer, keyPem: Buffer): string | null {
  try {
    return keyMatchesCertificate(certDer, keyPem.toString('utf8')) ? null : 'does not belong to cert.pem (their public keys differ)';
  } catch {
    return 'is not a readable private key';
  }
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

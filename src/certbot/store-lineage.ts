import { readCertificateInfo } from '../certs/read-certificate.js';
import { parseRenewalConf } from '../store/renewal-conf.js';
import type { ExistingCertificate } from './plan-certbot-run.js';

/** What a lineage's two files say: the certificate, or undefined when there is none or it is unreadable. */
export function lineageFromFiles(
  pem: string | undefined,
  conf: string | undefined,
  onUnreadable: () => void,
): ExistingCertificate | undefined {
  if (pem === undefined) return undefined;
  let info;
  try {
    info = readCertificateInfo(pem);
  } catch {
    onUnreadable();
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

import type { SwarmBed } from '../../../bench/swarm-bed.js';
import { readCertificateInfo } from '../../../src/certs/read-certificate.js';
import type { Logger } from '../../../src/log.js';
import { rotateSiteCertificate, type RotateSiteResult } from '../../../src/swarm/rotate-site.js';
import { createSwarmApi } from '../../../src/swarm/swarm-api.js';
import { sleep } from '../../../src/wait-for.js';

/** The bed's certificate, as certbot holds it now, rotated into every nginx task of the bed (the swarm e2e tests'). */
export async function rotateBed(bed: SwarmBed, log: Logger, timeoutMs = 150_000): Promise<RotateSiteResult> {
  const { fullchainPem, keyPem } = await bed.readCertificate();
  const leaf = readCertificateInfo(fullchainPem);
  return rotateSiteCertificate({
    api: createSwarmApi(process.env),
    stack: bed.name,
    service: bed.service,
    siteId: bed.site.id,
    fullchainPem,
    keyPem,
    serial: leaf.serial,
    notAfter: leaf.notAfter,
    timeoutMs,
    intervalMs: 1_000,
    monitorMs: 3_000,
    now: () => new Date(),
    sleep,
    log,
  });
}

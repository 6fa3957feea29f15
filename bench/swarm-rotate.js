// The bed's certificate, as certbot holds it now, rotated into every nginx task of the bed: the one rotation the swarm
// e2e tests (test/e2e/support/swarm-rotate.ts) and bench/swarm-rotation.js share. It runs certkit's built code
// (dist/: `npm run build` first, as for the CLI the e2e tests run).
import { readCertificateInfo } from '../dist/certs/read-certificate.js';
import { rotateSiteCertificate } from '../dist/swarm/rotate-site.js';
import { createSwarmApi } from '../dist/swarm/swarm-api.js';
import { sleep } from '../dist/wait-for.js';

export async function rotateBed(bed, log, timeoutMs = 150_000, options = {}) {
  const { fullchainPem, keyPem } = await bed.readCertificate();
  const leaf = readCertificateInfo(fullchainPem);
  return rotateSiteCertificate({
    api: createSwarmApi(options.dockerHost ? { DOCKER_HOST: options.dockerHost } : process.env),
    stack: bed.name,
    service: bed.service,
    siteId: bed.site.id,
    fullchainPem,
    keyPem,
    serial: leaf.serial,
    notAfter: leaf.notAfter,
    timeoutMs,
    intervalMs: options.intervalMs ?? 1_000,
    monitorMs: 3_000,
    now: () => new Date(),
    sleep,
    log,
  });
}

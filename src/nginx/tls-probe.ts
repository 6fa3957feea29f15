import { describeCertificate, type CertificateInfo } from '../certs/read-certificate.js';

/** Connects with this SNI name and returns the certificate nginx presents. Trust is not checked: only identity. */
export async function probeTls(target: { host: string; port: number; servername: string; timeoutMs?: number }): Promise<CertificateInfo> {
  // node:tls only when a probe runs: `status --store DIR` probes nothing.
  const { connect } = await import('node:tls');
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.host, port: target.port, servername: sniFor(target.servername), rejectUnauthorized: false });
    socket.setTimeout(target.timeoutMs ?? 5_000, () =>
      socket.destroy(new Error(`TLS handshake with ${target.host}:${target.port} timed out`)),
    );
    socket.once('secureConnect', () => {
      const cert = socket.getPeerX509Certificate();
      socket.end();
      if (cert) resolve(describeCertificate(cert));
      else reject(new Error(`${target.host}:${target.port} presented no certificate`));
    });
    socket.once('error', reject);
  });
}

/** No client asks for a wildcard by name: for `*.example.com` the probe asks for one name it covers. */
export function sniFor(name: string): string {
  return name.startsWith('*.') ? `certkit-probe${name.slice(1)}` : name;
}

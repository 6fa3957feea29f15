import { X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import { connect } from 'node:tls';
import { normalizeSerial, parseSubjectAltNames } from '../../../src/certs/read-certificate.js';

export interface PresentedCertificate {
  serial: string;
  names: string[];
  issuer: string;
  notAfter: Date;
  /** The chain nginx sent after the leaf, as X509 objects, for verifying against the CA's root. */
  chain: X509Certificate[];
  leaf: X509Certificate;
}

/** Connects to 127.0.0.1:port with this SNI name and returns the certificate presented (trust not checked). */
export function probeCertificate(port: number, servername: string, host = '127.0.0.1'): Promise<PresentedCertificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, servername, rejectUnauthorized: false });
    socket.setTimeout(5_000, () => socket.destroy(new Error(`TLS handshake with ${host}:${port} (${servername}) timed out`)));
    socket.once('secureConnect', () => {
      const peer = socket.getPeerCertificate(true);
      const leaf = socket.getPeerX509Certificate();
      socket.end();
      if (!leaf || !peer) return reject(new Error('no certificate presented'));
      const chain: X509Certificate[] = [];
      let node = peer.issuerCertificate;
      const seen = new Set<string>([peer.fingerprint256]);
      while (node && !seen.has(node.fingerprint256)) {
        seen.add(node.fingerprint256);
        chain.push(new X509Certificate(node.raw));
        node = node.issuerCertificate;
      }
      resolve({
        serial: normalizeSerial(leaf.serialNumber),
        names: parseSubjectAltNames(leaf.subjectAltName),
        issuer: leaf.issuer,
        notAfter: new Date(leaf.validTo),
        chain,
        leaf,
      });
    });
    socket.once('error', reject);
  });
}

/** True when the leaf is signed by the first intermediate and the last certificate of the chain by the root. */
export function chainsTo(presented: PresentedCertificate, root: X509Certificate): boolean {
  const certs = [presented.leaf, ...presented.chain];
  for (let i = 0; i + 1 < certs.length; i += 1) {
    const child = certs[i] as X509Certificate;
    const parent = certs[i + 1] as X509Certificate;
    if (!child.checkIssued(parent) || !child.verify(parent.publicKey)) return false;
  }
  const top = certs[certs.length - 1] as X509Certificate;
  return top.checkIssued(root) && top.verify(root.publicKey);
}

/** An HTTPS GET to 127.0.0.1:port for this name (SNI and Host), trust not checked: status and body. */
export function httpsGet(
  port: number,
  servername: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, servername, rejectUnauthorized: false, headers: { host: servername, ...headers }, timeout: 5_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET https://${servername}${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

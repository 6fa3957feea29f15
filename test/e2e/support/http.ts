import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HttpAnswer {
  status: number;
  location: string | undefined;
  /** Strict-Transport-Security as nginx sent it. */
  hsts: string | undefined;
  body: string;
}

/**
 * One GET to 127.0.0.1:port with this Host (and SNI name, over TLS); the answer's status, Location and body. TLS
 * trust is not checked here: tests check the certificate itself with probeCertificate.
 */
export function httpGet(port: number, host: string, path: string, options: { tls?: boolean } = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const common = { host: '127.0.0.1', port, path, headers: { host }, timeout: 5_000 };
    const onAnswer = (res: import('node:http').IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          location: res.headers.location,
          hsts: res.headers['strict-transport-security'],
          body,
        }),
      );
    };
    const req = options.tls
      ? httpsRequest({ ...common, servername: host, rejectUnauthorized: false }, onAnswer)
      : httpRequest(common, onAnswer);
    req.on('timeout', () => req.destroy(new Error(`GET ${path} on port ${port} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

import { request } from 'node:https';

export interface LoadResult {
  ok: number;
  failed: number;
  errors: string[];
  serials: Set<string>;
}

/**
 * HTTPS requests to 127.0.0.1:port, each on a new connection (so every one does a TLS handshake), from `workers`
 * loops, until `stop` resolves — bounded by `maxRequests` and `maxMs` whatever happens.
 */
export async function runHttpsLoad(options: { port: number; servername: string; stop: Promise<unknown>; workers?: number; maxRequests?: number; maxMs?: number }): Promise<LoadResult> {
  const result: LoadResult = { ok: 0, failed: 0, errors: [], serials: new Set() };
  const maxRequests = options.maxRequests ?? 3_000;
  const deadline = Date.now() + (options.maxMs ?? 120_000);
  let stopped = false;
  void options.stop.finally(() => (stopped = true));
  const worker = async (): Promise<void> => {
    while (!stopped && Date.now() < deadline && result.ok + result.failed < maxRequests) {
      try {
        const { status, serial } = await getOnce(options.port, options.servername);
        if (status === 200) result.ok += 1;
        else {
          result.failed += 1;
          result.errors.push(`HTTP ${status}`);
        }
        if (serial) result.serials.add(serial);
      } catch (error) {
        result.failed += 1;
        result.errors.push((error as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: options.workers ?? 2 }, worker));
  return result;
}

function getOnce(port: number, servername: string): Promise<{ status: number; serial: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', servername, headers: { host: servername }, rejectUnauthorized: false, agent: false, timeout: 5_000 }, (res) => {
      const serial = (res.socket as import('node:tls').TLSSocket).getPeerCertificate?.()?.serialNumber?.toLowerCase().replace(/^0+/, '');
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, serial }));
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

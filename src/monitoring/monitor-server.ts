import { createServer, type Server } from 'node:http';
import { CertkitError } from '../errors.js';
import type { DaemonMonitor } from './daemon-monitor.js';

/**
 * /metrics (Prometheus text) and /healthz on the compose network. Read-only, no secrets: the Docker socket is
 * never reachable through it.
 */
export function startMonitorServer(
  monitor: Pick<DaemonMonitor, 'metricsText' | 'liveness'>,
  port: number,
  host = '0.0.0.0',
): Promise<Server> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/metrics') {
      monitor.metricsText().then(
        (text) => response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text),
        (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${(error as Error).message}\n`),
      );
    } else if (path === '/healthz') {
      const { healthy, reason } = monitor.liveness();
      response.writeHead(healthy ? 200 : 503, { 'content-type': 'text/plain' }).end(`${healthy ? 'ok' : 'unhealthy'}: ${reason}\n`);
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('certkit serves /metrics and /healthz\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'EADDRINUSE' ? 'is already in use' : `cannot be opened (${error.code ?? error.message})`;
      reject(
        new CertkitError('CONFIG_INVALID', `CERTKIT_METRICS_PORT: port ${port} on ${host} ${why}; set another port in .env`, {
          cause: error,
        }),
      );
    });
    server.listen(port, host, () => resolve(server));
  });
}

import { createServer, type Server } from 'node:http';
import { CertkitError } from '../errors.js';
import type { DaemonMonitor } from './daemon-monitor.js';

/**
 * /metrics (Prometheus text), /healthz and /problems on the compose network. Read-only, no secrets: the Docker socket
 * is never reachable through it.
 *
 * /healthz is the loop's liveness (503 only when it is stuck: the container's healthcheck, where a restart helps); its
 * text says `degraded` and names the problems of the last evaluation while any fires (a failed check, a stale replica),
 * never `ok`. /problems reads the status afresh and answers 503 with one problem a line while any fires: a restart
 * mends none of them, so it is for a probe that pages, not for the container's healthcheck.
 */
export function startMonitorServer(
  monitor: Pick<DaemonMonitor<unknown>, 'metricsText' | 'liveness'> & Partial<Pick<DaemonMonitor<unknown>, 'knownProblems' | 'problems'>>,
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
      const problems = monitor.knownProblems?.() ?? [];
      const word = !healthy ? 'unhealthy' : problems.length > 0 ? 'degraded' : 'ok';
      const named =
        problems.length > 0 ? `; ${problems.length} problem${problems.length === 1 ? '' : 's'} (/problems): ${problems.join('; ')}` : '';
      response.writeHead(healthy ? 200 : 503, { 'content-type': 'text/plain' }).end(`${word}: ${reason}${named}\n`);
    } else if (path === '/problems' && monitor.problems) {
      monitor.problems().then(
        (problems) =>
          response
            .writeHead(problems.length > 0 ? 503 : 200, { 'content-type': 'text/plain' })
            .end(problems.length > 0 ? problems.map((problem) => `${problem}\n`).join('') : 'no problems\n'),
        (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${(error as Error).message}\n`),
      );
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('certkit serves /metrics, /healthz and /problems\n');
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

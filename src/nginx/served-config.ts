import { CONFIG_STAMP_PATH, parseServedStamp } from '../render/config-stamp.js';
import type { ProbeTarget } from './probe-target.js';

/** What nginx said when asked which rendering it runs: the stamp, or why there is none. */
export type ServedConfig = { stamp: string } | { stamp: undefined; why: string };

/**
 * Asks nginx on its HTTP port which rendering of certkit's files it loaded (config-stamp.ts). The answer comes from
 * the running workers, so it cannot claim a configuration nginx did not load. `host` picks the server block.
 */
export async function probeServedConfig(
  target: ProbeTarget & { host: string; hostHeader: string; timeoutMs?: number },
): Promise<ServedConfig> {
  const { request } = await import('node:http');
  return new Promise((resolve) => {
    const req = request(
      {
        host: target.host,
        port: target.port,
        path: CONFIG_STAMP_PATH,
        headers: { host: target.hostHeader },
        timeout: target.timeoutMs ?? 3_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < 256) body += chunk;
        });
        res.on('end', () => {
          const stamp = res.statusCode === 200 ? parseServedStamp(body) : undefined;
          resolve(
            stamp
              ? { stamp }
              : { stamp: undefined, why: `nginx answers ${CONFIG_STAMP_PATH} with HTTP ${res.statusCode ?? '?'} and no stamp` },
          );
        });
        res.on('error', (error) => resolve({ stamp: undefined, why: error.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${target.host}:${target.port} within ${target.timeoutMs ?? 3_000} ms`)));
    req.on('error', (error) =>
      resolve({ stamp: undefined, why: `nginx does not answer on ${target.host}:${target.port} (${error.message})` }),
    );
    req.end();
  });
}

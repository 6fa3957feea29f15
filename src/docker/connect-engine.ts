import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { CertkitError } from '../errors.js';

/** Where the engine is reached: a unix socket, or a host and port (what dockerode takes). */
export interface ConnectionOptions {
  socketPath?: string;
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
}

/**
 * The newest API version certkit asks for (Docker 27's): the calls it makes read the same in every version up to it.
 * An engine that speaks an older one is asked in its own; a newer one keeps answering this one.
 */
export const NEWEST_API_VERSION = '1.47';

/**
 * The engine's API version, read from the API-Version header of a versioned ping (the engine sends it even when it
 * refuses the version asked, which is why the oldest is asked), capped at NEWEST_API_VERSION: "v1.41".
 */
export function negotiateApiVersion(options: ConnectionOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const target = options.socketPath ? { socketPath: options.socketPath } : { host: options.host, port: options.port };
    const send = options.protocol === 'https' ? httpsRequest : httpRequest;
    const request = send({ ...target, path: '/v1.24/_ping', method: 'GET', timeout: 30_000 }, (response) => {
      response.resume();
      const header = response.headers['api-version'];
      const version = typeof header === 'string' && /^1\.\d+$/.test(header) ? header : undefined;
      if (version === undefined) {
        const status = response.statusCode ?? 0;
        reject(Object.assign(new Error(`the engine answered HTTP ${status} without its API version`), { statusCode: status }));
        return;
      }
      resolve(`v${olderVersion(version, NEWEST_API_VERSION)}`);
    });
    request.on('timeout', () => request.destroy(new Error('no answer within 30 s')));
    request.on('error', reject);
    request.end();
  });
}

function olderVersion(a: string, b: string): string {
  const minor = (version: string): number => Number(version.split('.')[1]);
  return minor(a) <= minor(b) ? a : b;
}

export function connectionOptions(endpoint: string, env: NodeJS.ProcessEnv): ConnectionOptions {
  if (endpoint.startsWith('unix://')) return { socketPath: endpoint.slice('unix://'.length) };
  const tcp = /^tcp:\/\/([^:/]+)(?::(\d+))?\/?$/.exec(endpoint);
  if (tcp) {
    const tls = Boolean(env['DOCKER_TLS_VERIFY']);
    return { host: tcp[1], port: Number(tcp[2] ?? (tls ? 2376 : 2375)), protocol: tls ? 'https' : 'http' };
  }
  throw new CertkitError(
    'DOCKER_UNREACHABLE',
    `DOCKER_HOST="${endpoint}" is not supported: use unix:///path/to/docker.sock or tcp://host:port`,
  );
}

/**
 * A function that, on its first call, negotiates the engine's API version and sets it on dockerode's modem, so every
 * path after it carries the version (/v1.41/…: the socket proxy refuses unversioned ones); a failure is asked again.
 */
export function versionOnce(docker: { modem: unknown }, negotiate: () => Promise<string>): () => Promise<void> {
  let negotiated: Promise<void> | undefined;
  return () => {
    negotiated ??= negotiate().then(
      (version) => {
        (docker.modem as { version?: string }).version = version;
      },
      (error: unknown) => {
        negotiated = undefined;
        throw error;
      },
    );
    return negotiated;
  };
}

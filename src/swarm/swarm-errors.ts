import { CertkitError, isCertkitError } from '../errors.js';

/**
 * One call to a Swarm manager, its failure as a certkit error: the engine lost, this engine not a manager (with the
 * fix), a thing not found, or Swarm's refusal with its message. A secret's data is never part of `what`.
 */
export async function swarmCall<T>(endpoint: string, what: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (isCertkitError(error)) throw error;
    const status = (error as { statusCode?: unknown }).statusCode;
    const json = (error as { json?: { message?: unknown } }).json;
    const said = typeof json?.message === 'string' ? json.message : (error as Error).message;
    if (typeof status !== 'number') {
      throw new CertkitError(
        'DOCKER_UNREACHABLE',
        `lost Docker at ${endpoint} while trying to ${what} (${said}); check that dockerd runs`,
        {
          cause: error,
        },
      );
    }
    if (status === 503 && /not a swarm manager|swarm/i.test(said)) {
      throw new CertkitError(
        'DOCKER_FAILED',
        `could not ${what}: this engine is not a Swarm manager (${said}); run certkit against a manager (\`docker node ls\` lists them)`,
        { cause: error },
      );
    }
    if (status === 403 && /docker-proxy/.test(said)) {
      throw new CertkitError(
        'DOCKER_FAILED',
        `certkit's socket proxy refused to ${what} (${said.trim()}): its rules are rendered for one stack; run \`certkit render\` with CERTKIT_SWARM_STACK set to the stack's name and deploy again with a new CERTKIT_SWARM_CONF_VERSION (docs/docker-access.md#swarm)`,
        { cause: error },
      );
    }
    if (status === 404) throw new CertkitError('NOT_FOUND', `could not ${what}: Docker says ${said}`, { cause: error });
    throw new CertkitError('DOCKER_FAILED', `Docker refused to ${what} (HTTP ${status}: ${said})`, { cause: error });
  }
}

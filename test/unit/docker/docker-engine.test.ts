import { describe, expect, it } from 'vitest';
import { createDockerEngine } from '../../../src/docker/docker-engine.js';
import { isCertkitError } from '../../../src/errors.js';

// No engine is needed: a socket that does not exist fails at once, and the message must say which one was tried.
describe('createDockerEngine', () => {
  it('names the socket it tried when no engine answers', async () => {
    const engine = createDockerEngine({ DOCKER_HOST: 'unix:///nonexistent/certkit.sock' });
    expect(engine.endpoint).toBe('unix:///nonexistent/certkit.sock');
    const error = await engine.ping().then(() => undefined, (caught: unknown) => caught);
    expect(isCertkitError(error, 'DOCKER_UNREACHABLE')).toBe(true);
    expect((error as Error).message).toMatch(/Docker is not reachable at unix:\/\/\/nonexistent\/certkit\.sock \(no engine answers there/);
    expect((error as Error).message).toMatch(/DOCKER_HOST/);
  });

  it('defaults to the local socket', () => {
    expect(createDockerEngine({}).endpoint).toBe('unix:///var/run/docker.sock');
  });
});

import { describe, expect, it, onTestFinished } from 'vitest';
import { createDockerEngine } from '../../../src/docker/docker-engine.js';
import { isCertkitError } from '../../../src/errors.js';

// No engine is needed: a socket that does not exist fails at once, and the message must say which one was tried.
describe('createDockerEngine', () => {
  it('names the socket it tried when no engine answers', async () => {
    const engine = createDockerEngine({ DOCKER_HOST: 'unix:///nonexistent/certkit.sock' });
    expect(engine.endpoint).toBe('unix:///nonexistent/certkit.sock');
    const error = await engine.ping().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isCertkitError(error, 'DOCKER_UNREACHABLE')).toBe(true);
    expect((error as Error).message).toMatch(/Docker is not reachable at unix:\/\/\/nonexistent\/certkit\.sock \(no engine answers there/);
    expect((error as Error).message).toMatch(/DOCKER_HOST/);
  });

  it('defaults to the local socket', () => {
    expect(createDockerEngine({}).endpoint).toBe('unix:///var/run/docker.sock');
  });
});

/**
 * A stand-in for dockerd's HTTP API on a unix socket, answering only what these tests ask: a stopped certbot
 * container (exec → 409), a missing one (404) and a missing path in an archive call.
 */
async function fakeDockerd(): Promise<string> {
  const { createServer } = await import('node:http');
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = await mkdtemp(join(tmpdir(), 'certkit-dockerd-'));
  const socket = join(dir, 'docker.sock');
  const server = createServer((request, response) => {
    const url = request.url ?? '';
    const reply = (status: number, body: unknown): void => {
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (/\/_ping$/.test(url)) {
      response.writeHead(200, { 'API-Version': '1.41' });
      return response.end('OK');
    }
    if (/\/containers\/stopped\/json$/.test(url)) {
      return reply(200, {
        Id: 'stopped',
        Name: '/ck-certbot-1',
        State: { Status: 'exited', Running: false },
        Config: { Labels: { 'com.docker.compose.service': 'certbot' } },
      });
    }
    if (/\/containers\/stopped\/exec$/.test(url)) return reply(409, { message: 'Container stopped is not running' });
    if (/\/containers\/downgraded\/exec$/.test(url)) return reply(201, { Id: 'e'.repeat(64) });
    const page = (status: number, text: string): void => {
      response.writeHead(status, { 'Content-Type': 'text/html' });
      response.end(`<html><body><h1>${status} ${text}</h1>\n`);
    };
    if (/\/containers\/refused\//.test(url)) return page(403, 'Forbidden</h1>\nRequest forbidden by administrative rules.\n</body></html>');
    if (/\/containers\/lost\//.test(url))
      return page(503, 'Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>');
    if (/\/containers\/gone\//.test(url)) return reply(404, { message: 'No such container: gone' });
    if (/\/containers\/stopped\/archive/.test(url))
      return reply(404, { message: 'Could not find the file /etc/certkit/deploy in container stopped' });
    return reply(500, { message: `unexpected ${request.method ?? ''} ${url}` });
  });
  // An exec's start through a proxy that dropped the Upgrade header: the engine's plain 200 and its raw stream.
  server.on('upgrade', (_request: unknown, connection: import('node:net').Socket) => {
    connection.end('HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  onTestFinished(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });
  return `unix://${socket}`;
}

describe('the Docker boundary turns engine failures into certkit errors with a fix', () => {
  it('exec in a stopped container: CONTAINER_NOT_RUNNING naming the service, its name and how to start it', async () => {
    const engine = createDockerEngine({ DOCKER_HOST: await fakeDockerd() });
    const error = await engine.exec('stopped', ['certbot', 'renew']).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isCertkitError(error, 'CONTAINER_NOT_RUNNING')).toBe(true);
    expect((error as Error).message).toBe(
      'the certbot container (ck-certbot-1) stopped while certkit was running (could not run certbot: Container stopped is not running). ' +
        'Nothing already issued or served is lost: start it with `docker compose --profile certbot up -d certbot` (or `docker start ck-certbot-1`) and rerun the command.',
    );
    expect((error as Error).cause).toMatchObject({ statusCode: 409 });
  });

  it('a container removed under certkit, and a path that is not there', async () => {
    const engine = createDockerEngine({ DOCKER_HOST: await fakeDockerd() });
    const gone = await engine.signal('gone', 'SIGHUP').then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isCertkitError(gone, 'CONTAINER_NOT_RUNNING')).toBe(true);
    expect((gone as Error).message).toMatch(/recreate it with `docker compose --profile certbot up -d`/);
    const missing = await engine.getArchive('stopped', '/etc/certkit/deploy').then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(missing).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a proxy that drops the upgrade of an exec with stdin (HAProxy before 3.1): a certkit error naming the fix, no wait', async () => {
    const engine = createDockerEngine({ DOCKER_HOST: await fakeDockerd() });
    const error = await engine.execHeld('downgraded', ['sh', '-c', 'read -r _']).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isCertkitError(error, 'DOCKER_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(/did not switch an exec's connection to a two-way stream \(HTTP 101\)/);
    expect((error as Error).message).toMatch(/Use haproxy 3\.1 or later \(CERTKIT_PROXY_IMAGE/);
  });

  it("the socket proxy's own answers: a refusal (403) names the rules and their fix, an engine it cannot reach (503) is DOCKER_UNREACHABLE", async () => {
    const engine = createDockerEngine({ DOCKER_HOST: await fakeDockerd() });
    const refused = await engine.signal('refused', 'SIGHUP').then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isCertkitError(refused, 'DOCKER_FAILED')).toBe(true);
    expect((refused as Error).message).toContain(
      'refused to send SIGHUP (HTTP 403: 403 Forbidden Request forbidden by administrative rules.)',
    );
    expect((refused as Error).message).toContain('docs/docker-access.md');
    const lost = await engine.signal('lost', 'SIGHUP').then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isCertkitError(lost, 'DOCKER_UNREACHABLE')).toBe(true);
    expect((lost as Error).message).toMatch(
      /^the socket proxy at unix:\/\/\S+ cannot reach Docker to send SIGHUP \(503 Service Unavailable No server is available/,
    );
  });

  it('an engine that stops answering mid-run: DOCKER_UNREACHABLE, with what certkit was doing', async () => {
    const engine = createDockerEngine({ DOCKER_HOST: 'unix:///nonexistent/certkit.sock' });
    const error = await engine.listContainers({ project: 'ck' }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isCertkitError(error, 'DOCKER_UNREACHABLE')).toBe(true);
    expect((error as Error).message).toMatch(
      /^lost Docker at unix:\/\/\/nonexistent\/certkit\.sock while trying to list the containers of Compose project "ck" \(no engine answers there/,
    );
  });
});

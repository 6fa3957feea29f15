import { execFile } from 'node:child_process';
import { readFile, mkdtemp, rm, readdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preflightTargets } from '../../../src/update/preflight-batch.js';
import { preflightArgs, PREFLIGHT_SCRIPT } from '../../../src/update/preflight.js';

const run = promisify(execFile);

// The script the certbot container runs, run here by this machine's python3 against a local server that serves the
// webroot as nginx does (the challenge path from the folder the script writes the token into).
describe('PREFLIGHT_SCRIPT: one run checks many names', { timeout: 30_000 }, () => {
  let webroot: string;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    webroot = await mkdtemp(join(tmpdir(), 'certkit-preflight-'));
    server = createServer((request, response) => {
      const host = request.headers.host ?? '';
      if (host.startsWith('elsewhere')) return response.writeHead(404).end('not here');
      readFile(join(webroot, request.url ?? '/'))
        .then((body) => response.writeHead(200).end(body))
        .catch(() => response.writeHead(404).end('no such file'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(webroot, { recursive: true, force: true });
  });

  it("answers each name in order, the token's fetch proving it; removes the token afterwards", async () => {
    const file = 'certkit-preflight-0123456789ab';
    const names = Array.from({ length: 40 }, (_, index) => `site${index}.eu`);
    const targets = [...preflightTargets([...names, 'elsewhere.eu'], file, `127.0.0.1:${port}`)];
    const path = join(webroot, '.well-known/acme-challenge', file);
    const { stdout } = await run('python3', ['-c', PREFLIGHT_SCRIPT, ...preflightArgs(path, 'token-text', targets)]);
    const answers = JSON.parse(stdout) as { name: string; ok: boolean; detail: string }[];
    expect(answers.map((answer) => answer.name)).toEqual([...names, 'elsewhere.eu']);
    expect(answers.slice(0, 40).every((answer) => answer.ok)).toBe(true);
    expect(answers[40]).toMatchObject({ ok: false, detail: expect.stringMatching(/^HTTP Error 404/) });
    expect(await readdir(join(webroot, '.well-known/acme-challenge'))).toEqual([]);
  });
});

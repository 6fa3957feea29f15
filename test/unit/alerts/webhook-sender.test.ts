import { describe, expect, it } from 'vitest';
import { createWebhookSender, redactUrl } from '../../../src/alerts/webhook-sender.js';

function recorder() {
  const lines: string[] = [];
  return {
    lines,
    log: {
      debug: () => {},
      info: (line: string) => lines.push(line),
      warn: (line: string) => lines.push(line),
      error: (line: string) => lines.push(line),
    },
  };
}

describe('createWebhookSender', () => {
  const url = new URL('https://hooks.example.test/services/T000/SECRET-TOKEN?key=also-secret');

  it('returns at once, retries with backoff and never logs the URL', async () => {
    const { lines, log } = recorder();
    const waits: number[] = [];
    const bodies: string[] = [];
    const answers = [503, 0, 200];
    const sender = createWebhookSender({
      urls: [url],
      log,
      retryMs: [5, 30, 120],
      sleep: async (ms) => void waits.push(ms),
      post: async (_url, body) => {
        bodies.push(body);
        const status = answers.shift();
        if (status === 0) throw Object.assign(new Error(`fetch failed ${url.href}`), { cause: { code: 'ECONNREFUSED' } });
        return { status: status ?? 200 };
      },
    });
    sender.send({ text: 'hello' });
    expect(bodies).toHaveLength(1);
    await sender.idle();
    expect(bodies).toEqual(Array(3).fill('{"text":"hello"}'));
    expect(waits).toEqual([5, 30]);
    expect(lines.join('\n')).not.toContain('SECRET');
    expect(lines.join('\n')).toContain('ECONNREFUSED');
    expect(redactUrl(url)).toBe('https://hooks.example.test/…');
  });

  it('gives up after the last retry and keeps delivering later messages in order, to every URL', async () => {
    const { lines, log } = recorder();
    const seen: string[] = [];
    const sender = createWebhookSender({
      urls: [url, new URL('http://receiver:8080/b')],
      log,
      retryMs: [1],
      sleep: async () => {},
      post: async (target, body) => {
        seen.push(`${target.host} ${body}`);
        return { status: target.host === 'receiver:8080' || body.includes('2') ? 204 : 500 };
      },
    });
    sender.send({ n: 1 });
    sender.send({ n: 2 });
    await sender.idle();
    expect(seen.filter((line) => line.startsWith('receiver'))).toEqual(['receiver:8080 {"n":1}', 'receiver:8080 {"n":2}']);
    expect(seen.filter((line) => line.startsWith('hooks'))).toHaveLength(3);
    expect(lines.some((line) => line.includes('giving up after 2 attempts (HTTP 500)'))).toBe(true);
  });
});

import type { Logger } from '../log.js';

/** Waits between attempts to deliver one message; after the last, the message is dropped with an error logged. */
export const WEBHOOK_RETRY_MS = [5_000, 30_000, 120_000, 600_000] as const;
const TIMEOUT_MS = 10_000;
/** A receiver that is down for days must not grow memory: older queued messages give way. */
const MAX_QUEUED = 100;

export interface WebhookSender {
  /** Queues the body for every URL and returns at once; delivery never blocks the caller. */
  send(body: unknown): void;
  /** Resolves when every queue is empty (tests, shutdown). */
  idle(): Promise<void>;
}

type Post = (url: URL, body: string, signal: AbortSignal) => Promise<{ status: number }>;

/** The URL as it may appear in logs: scheme and host only (paths and queries of webhooks hold their tokens). */
export function redactUrl(url: URL): string {
  return `${url.protocol}//${url.host}/…`;
}

/** One queue per URL, delivered in order, each message retried with backoff. */
export function createWebhookSender(input: {
  urls: readonly URL[];
  log: Logger;
  post?: Post;
  sleep?: (ms: number) => Promise<void>;
  retryMs?: readonly number[];
}): WebhookSender {
  const post = input.post ?? postJson;
  const sleep = input.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref()));
  const retryMs = input.retryMs ?? WEBHOOK_RETRY_MS;
  const queues = input.urls.map((url) => ({ url, pending: [] as string[], running: undefined as Promise<void> | undefined }));

  async function drain(queue: (typeof queues)[number]): Promise<void> {
    for (let body = queue.pending.shift(); body !== undefined; body = queue.pending.shift()) {
      await deliver(queue.url, body);
    }
    queue.running = undefined;
  }

  async function deliver(url: URL, body: string): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      const problem = await post(url, body, AbortSignal.timeout(TIMEOUT_MS)).then(
        (response) => (response.status >= 200 && response.status < 300 ? undefined : `HTTP ${response.status}`),
        (error: unknown) => describeFailure(error),
      );
      if (problem === undefined) return;
      const wait = retryMs[attempt];
      if (wait === undefined) {
        input.log.error(`alert webhook ${redactUrl(url)}: giving up after ${attempt + 1} attempts (${problem})`);
        return;
      }
      input.log.warn(`alert webhook ${redactUrl(url)}: ${problem}; retrying in ${Math.round(wait / 1000)} s`);
      await sleep(wait);
    }
  }

  return {
    send(body) {
      const text = JSON.stringify(body);
      for (const queue of queues) {
        queue.pending.push(text);
        if (queue.pending.length > MAX_QUEUED) queue.pending.shift();
        queue.running ??= drain(queue);
      }
    },
    async idle() {
      for (;;) {
        const running = queues.flatMap((queue) => (queue.running ? [queue.running] : []));
        if (running.length === 0) return;
        await Promise.all(running);
      }
    },
  };
}

async function postJson(url: URL, body: string, signal: AbortSignal): Promise<{ status: number }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal, redirect: 'error' });
  await response.body?.cancel();
  return { status: response.status };
}

/** A network error without the URL (fetch's messages can carry it): its code or name only. */
function describeFailure(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  return (error as Error).name === 'TimeoutError' ? 'timed out' : (error as Error).name || 'request failed';
}

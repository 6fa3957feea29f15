// Bounded HTTPS load on 127.0.0.1 from three kinds of client, shared by the e2e renewal test and bench/renewal-load.js:
//   keep-alive      HTTP/1.1 over one reused connection per worker (https.Agent keepAlive), as browsers and API clients
//   http2           one HTTP/2 session per worker, opened again after the server sends GOAWAY or closes it
//   new-connection  a new TLS connection per request (a full handshake each time)
// Errors are counted by client kind and by cause (socket error code, HTTP status). Every loop stops at `stop`, at
// `maxRequests` in all or after `maxMs`, whichever comes first.
// With `retry`, a client retries a request once where a browser would (the request is an idempotent GET): an
// HTTP/1.1 request on a reused connection that closed before any response (RFC 9112 §9.3.1), and an HTTP/2 stream
// the server refused or left out of its GOAWAY (RFC 9113 §8.7), on a new session. `firstFailed` counts the
// requests whose first attempt failed (what a client that never retries sees), `failed` those that failed in the end.
import { Agent, request } from 'node:https';
import { connect, constants } from 'node:http2';

export const CLIENT_KINDS = ['keep-alive', 'http2', 'new-connection'];

/** @param {{ port: number; servername: string; stop: Promise<unknown>; workers?: Partial<Record<string, number>>; maxRequests?: number; maxMs?: number; pauseMs?: number; retry?: boolean }} options */
export async function runHttpsLoad(options) {
  const workers = { 'keep-alive': 2, http2: 2, 'new-connection': 1, ...options.workers };
  const maxRequests = options.maxRequests ?? 5_000;
  const deadline = Date.now() + (options.maxMs ?? 120_000);
  const pauseMs = options.pauseMs ?? 5;
  // failures: each failed first attempt (at most 1,000), with its time, for a timeline against the server's events.
  const result = { ok: 0, failed: 0, byKind: {}, errors: {}, serials: new Set(), failures: [] };
  for (const kind of CLIENT_KINDS) result.byKind[kind] = { ok: 0, failed: 0, firstFailed: 0, retried: 0 };
  let stopped = false;
  void options.stop.finally(() => (stopped = true));
  const more = () => !stopped && Date.now() < deadline && result.ok + result.failed < maxRequests;

  const count = (key) => (result.errors[key] = (result.errors[key] ?? 0) + 1);
  const causeOf = (outcome) => {
    if (!outcome.error) return `HTTP ${outcome.status}`;
    const code = outcome.error.code ?? outcome.error.message;
    // HTTP/2 stream errors carry the reset code in their message only (REFUSED_STREAM: never processed).
    const reset = code === 'ERR_HTTP2_STREAM_ERROR' ? /NGHTTP2_\w+/.exec(outcome.error.message)?.[0] : undefined;
    return reset ? `${code} ${reset}` : code;
  };
  /** One request: its first attempt, and with `retry` a second one where a browser would send it again. */
  const attempt = async (kind, send) => {
    const sent = Date.now();
    let outcome = await send(false);
    if (outcome.status !== 200) {
      result.byKind[kind].firstFailed += 1;
      count(`${kind}: ${causeOf(outcome)}`);
      const failure = { sent, at: Date.now(), kind, cause: causeOf(outcome), retriable: Boolean(outcome.retriable) };
      if (result.failures.length < 1_000) result.failures.push(failure);
      if (options.retry && outcome.retriable) {
        result.byKind[kind].retried += 1;
        outcome = await send(true);
        failure.retryOk = outcome.status === 200;
        if (outcome.status !== 200) count(`${kind}, after a retry: ${causeOf(outcome)}`);
      }
    }
    if (outcome.serial) result.serials.add(outcome.serial);
    const bucket = outcome.status === 200 ? 'ok' : 'failed';
    result[bucket] += 1;
    result.byKind[kind][bucket] += 1;
  };
  const pause = () => new Promise((resolve) => setTimeout(resolve, Math.random() * pauseMs * 2));

  const http1 = async (kind) => {
    const agent = kind === 'keep-alive' ? new Agent({ keepAlive: true, maxSockets: 1 }) : false;
    while (more()) {
      await attempt(kind, () => getHttp1(options.port, options.servername, agent));
      if (kind === 'keep-alive') await pause();
    }
    if (agent) agent.destroy();
  };
  const http2 = async () => {
    let session;
    const fresh = () => !session || session.closed || session.destroyed || session.certkitGoaway;
    while (more()) {
      await attempt('http2', (again) => {
        if (again || fresh()) {
          if (again) session?.close();
          session = openSession(options.port, options.servername);
        }
        return getHttp2(session);
      });
      await pause();
    }
    session?.close();
  };

  const loops = [];
  for (let i = 0; i < workers['keep-alive']; i += 1) loops.push(http1('keep-alive'));
  for (let i = 0; i < workers['new-connection']; i += 1) loops.push(http1('new-connection'));
  for (let i = 0; i < workers.http2; i += 1) loops.push(http2());
  await Promise.all(loops);
  return result;
}

/** Lists the failures by kind and cause, for a test message or a table. */
export function describeFailures(result) {
  return (
    Object.entries(result.errors)
      .map(([cause, count]) => `${count} × ${cause}`)
      .join(', ') || 'none'
  );
}

const serialOf = (socket) => socket?.getPeerCertificate?.()?.serialNumber?.toLowerCase().replace(/^0+/, '');

function getHttp1(port, servername, agent) {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/', servername, headers: { host: servername }, rejectUnauthorized: false, agent, timeout: 5_000 },
      (res) => {
        const serial = serialOf(res.socket);
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, serial }));
        res.on('error', (error) => resolve({ error }));
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('request timed out'), { code: 'TIMEOUT' })));
    // Before any response, on a connection an earlier request used: the server closed it as this one was sent.
    req.on('error', (error) => resolve({ error, retriable: req.reusedSocket && error.code !== 'TIMEOUT' }));
    req.end();
  });
}

function openSession(port, servername) {
  const session = connect(`https://127.0.0.1:${port}`, { servername, rejectUnauthorized: false });
  // A client stops opening streams on a session once the server said GOAWAY (nginx does at a reload).
  session.on('goaway', () => (session.certkitGoaway = true));
  session.on('error', () => {});
  return session;
}

function getHttp2(session) {
  return new Promise((resolve) => {
    let stream;
    try {
      stream = session.request({ ':path': '/', ':authority': session.originSet?.[0]?.replace(/^https:\/\//, '') });
    } catch (error) {
      // The session is going away (GOAWAY) or gone: nothing was sent.
      resolve({ error, retriable: true });
      return;
    }
    let status = 0;
    stream.setTimeout(5_000, () => stream.close());
    stream.on('response', (headers) => (status = Number(headers[':status'])));
    // Refused by the server (REFUSED_STREAM), or past the last stream its GOAWAY will answer: never processed.
    const refused = () => !status && (stream.rstCode === constants.NGHTTP2_REFUSED_STREAM || session.certkitGoaway === true);
    stream.on('error', (error) => resolve({ error, retriable: refused() }));
    stream.resume();
    stream.on('end', () =>
      resolve(
        status
          ? { status, serial: serialOf(session.socket) }
          : { error: Object.assign(new Error('stream closed without a response'), { code: 'NO_RESPONSE' }), retriable: refused() },
      ),
    );
    stream.on('close', () =>
      resolve({ error: Object.assign(new Error(`stream closed (code ${stream.rstCode})`), { code: 'NO_RESPONSE' }), retriable: refused() }),
    );
  });
}

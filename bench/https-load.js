// Bounded HTTPS load on 127.0.0.1 from three kinds of client, shared by the e2e renewal test and bench/renewal-load.js:
//   keep-alive      HTTP/1.1 over one reused connection per worker (https.Agent keepAlive), as browsers and API clients
//   http2           one HTTP/2 session per worker, opened again after the server sends GOAWAY or closes it
//   new-connection  a new TLS connection per request (a full handshake each time)
// Errors are counted by client kind and by cause (socket error code, HTTP status). Every loop stops at `stop`, at
// `maxRequests` in all or after `maxMs`, whichever comes first.
import { Agent, request } from 'node:https';
import { connect } from 'node:http2';

export const CLIENT_KINDS = ['keep-alive', 'http2', 'new-connection'];

/** @param {{ port: number; servername: string; stop: Promise<unknown>; workers?: Partial<Record<string, number>>; maxRequests?: number; maxMs?: number; pauseMs?: number }} options */
export async function runHttpsLoad(options) {
  const workers = { 'keep-alive': 2, http2: 2, 'new-connection': 1, ...options.workers };
  const maxRequests = options.maxRequests ?? 5_000;
  const deadline = Date.now() + (options.maxMs ?? 120_000);
  const pauseMs = options.pauseMs ?? 5;
  const result = { ok: 0, failed: 0, byKind: {}, errors: {}, serials: new Set() };
  for (const kind of CLIENT_KINDS) result.byKind[kind] = { ok: 0, failed: 0 };
  let stopped = false;
  void options.stop.finally(() => (stopped = true));
  const more = () => !stopped && Date.now() < deadline && result.ok + result.failed < maxRequests;

  const record = (kind, outcome) => {
    if (outcome.serial) result.serials.add(outcome.serial);
    if (outcome.status === 200) {
      result.ok += 1;
      result.byKind[kind].ok += 1;
      return;
    }
    const cause = outcome.error ? (outcome.error.code ?? outcome.error.message) : `HTTP ${outcome.status}`;
    result.failed += 1;
    result.byKind[kind].failed += 1;
    result.errors[`${kind}: ${cause}`] = (result.errors[`${kind}: ${cause}`] ?? 0) + 1;
  };
  const pause = () => new Promise((resolve) => setTimeout(resolve, Math.random() * pauseMs * 2));

  const http1 = async (kind) => {
    const agent = kind === 'keep-alive' ? new Agent({ keepAlive: true, maxSockets: 1 }) : false;
    while (more()) {
      record(kind, await getHttp1(options.port, options.servername, agent));
      if (kind === 'keep-alive') await pause();
    }
    if (agent) agent.destroy();
  };
  const http2 = async () => {
    let session;
    while (more()) {
      if (!session || session.closed || session.destroyed || session.certkitGoaway) session = openSession(options.port, options.servername);
      record('http2', await getHttp2(session));
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
    req.on('error', (error) => resolve({ error }));
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
      resolve({ error });
      return;
    }
    let status = 0;
    stream.setTimeout(5_000, () => stream.close());
    stream.on('response', (headers) => (status = Number(headers[':status'])));
    stream.on('error', (error) => resolve({ error }));
    stream.resume();
    stream.on('end', () =>
      resolve(
        status
          ? { status, serial: serialOf(session.socket) }
          : { error: Object.assign(new Error('stream closed without a response'), { code: 'NO_RESPONSE' }) },
      ),
    );
  });
}

import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/**
 * A stand-in engine's answer to an attached exec: the connection switched to a raw stream, `locked` written framed
 * as stdout, then closed. The request is recorded (its head as the body) for the allowlist tests.
 */
export function answerExecUpgrade(
  requests: Array<{ method: string; url: string; body: string }>,
): (request: IncomingMessage, socket: Socket, head: Buffer) => void {
  return (request, socket, head) => {
    requests.push({ method: request.method ?? '', url: request.url ?? '', body: head.toString('utf8') });
    socket.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    const text = Buffer.from('locked\n');
    const header = Buffer.alloc(8);
    header.writeUInt8(1, 0);
    header.writeUInt32BE(text.length, 4);
    socket.end(Buffer.concat([header, text]));
  };
}

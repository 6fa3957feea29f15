import { createHash } from 'node:crypto';

/** The renewal window the CA suggests for one certificate (ACME Renewal Information, RFC 9773). */
export interface RenewalWindow {
  start: Date;
  end: Date;
  /** A page the CA links to explain why the window moved (an incident, say). */
  explanationUrl: string | undefined;
}

export interface WindowDecision {
  due: boolean;
  /** The moment in the window this certificate renews at. */
  renewAt: Date;
  reason: string;
}

/**
 * When to renew inside the CA's window. RFC 9773 asks clients to pick a random moment in it, so that a whole fleet
 * does not renew at the window's first second; here the moment comes from the certificate's serial, so every run of
 * certkit (CLI or daemon, before or after a restart) picks the same one without keeping state.
 * A window that has already ended means "renew now".
 */
export function decideByRenewalWindow(window: RenewalWindow, serial: string, now: Date): WindowDecision {
  const start = window.start.getTime();
  const end = window.end.getTime();
  const renewAtMs = end <= now.getTime() ? start : start + Math.floor(serialFraction(serial) * (end - start));
  const due = now.getTime() >= renewAtMs;
  const span = `${window.start.toISOString()} to ${window.end.toISOString()}`;
  const why = window.explanationUrl ? `; the CA explains why at ${window.explanationUrl}` : '';
  return {
    due,
    renewAt: new Date(renewAtMs),
    reason: due
      ? `the CA asked for renewal (ARI): its renewal window for this certificate runs ${span}${why}`
      : `the CA's renewal window (ARI) runs ${span}; this certificate renews at ${new Date(renewAtMs).toISOString()}`,
  };
}

/** A number in [0, 1) that depends only on the serial. */
function serialFraction(serial: string): number {
  return createHash('sha256').update(serial.toLowerCase()).digest().readUInt32BE(0) / 2 ** 32;
}

/** What the CA answered, as read by read-renewal-window.ts inside the certbot container. */
export type WindowAnswer =
  { supported: false } | { supported: true; window?: { start?: unknown; end?: unknown }; explanationURL?: unknown };

/** The window from the CA's answer; undefined when the CA has no ARI, or the answer is not a usable window. */
export function parseRenewalWindow(answer: WindowAnswer): RenewalWindow | undefined {
  if (!answer.supported || !answer.window) return undefined;
  const start = typeof answer.window.start === 'string' ? new Date(answer.window.start) : undefined;
  const end = typeof answer.window.end === 'string' ? new Date(answer.window.end) : undefined;
  // RFC 9773: a window whose end does not follow its start is invalid, and the client ignores it.
  if (!start || !end || Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || end <= start) return undefined;
  return { start, end, explanationUrl: typeof answer.explanationURL === 'string' ? answer.explanationURL : undefined };
}

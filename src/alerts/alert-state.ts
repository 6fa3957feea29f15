/** The problems certkit alerts on, one per certificate name each. */
export type AlertKind = 'renewal_failed' | 'certificate_expiring' | 'serial_mismatch' | 'replica_stale';

/** One observation: whether this problem holds now, and words for the message when it does. */
export interface AlertCheck {
  kind: AlertKind;
  certificate: string;
  firing: boolean;
  /** What is wrong, for people (used when firing). */
  summary: string;
  /** Machine-readable details for the payload (cause, next retry, serials, expiry). */
  details: Record<string, string | number | null>;
}

export interface ActiveAlert {
  since: string;
  lastSentAt: string;
  summary: string;
  details: Record<string, string | number | null>;
}

/** Alerts currently firing, by key (kind + certificate). Plain data, so it can be kept anywhere. */
export type AlertState = Readonly<Record<string, ActiveAlert>>;

export interface AlertMessage {
  event: 'firing' | 'reminder' | 'resolved';
  kind: AlertKind;
  certificate: string;
  since: string;
  at: string;
  summary: string;
  details: Record<string, string | number | null>;
}

export const REMINDER_MS = 86_400_000;

export function alertKey(kind: AlertKind, certificate: string): string {
  return `${kind}:${certificate}`;
}

/**
 * One message per change of state: a problem that starts fires once, one that persists is reminded at most every
 * `reminderMs`, one that clears is resolved once. Checks not given leave their alerts as they are (a store that
 * could not be read resolves nothing). Pure: the clock is an argument.
 */
export function evaluateAlerts(
  state: AlertState,
  checks: readonly AlertCheck[],
  now: Date,
  reminderMs = REMINDER_MS,
): { state: AlertState; messages: AlertMessage[] } {
  const next: Record<string, ActiveAlert> = { ...state };
  const messages: AlertMessage[] = [];
  const at = now.toISOString();
  for (const check of checks) {
    const key = alertKey(check.kind, check.certificate);
    const active = next[key];
    const base = { kind: check.kind, certificate: check.certificate, at };
    if (check.firing && !active) {
      next[key] = { since: at, lastSentAt: at, summary: check.summary, details: check.details };
      messages.push({ ...base, event: 'firing', since: at, summary: check.summary, details: check.details });
    } else if (check.firing && active) {
      const due = now.getTime() - new Date(active.lastSentAt).getTime() >= reminderMs;
      next[key] = { since: active.since, lastSentAt: due ? at : active.lastSentAt, summary: check.summary, details: check.details };
      if (due) messages.push({ ...base, event: 'reminder', since: active.since, summary: check.summary, details: check.details });
    } else if (!check.firing && active) {
      delete next[key];
      messages.push({ ...base, event: 'resolved', since: active.since, summary: check.summary, details: check.details });
    }
  }
  return { state: next, messages };
}

import { versionAtLeast, type Version } from './certbot-version.js';

const DAY_MS = 86_400_000;

export interface DueDecision {
  due: boolean;
  /** When the certificate becomes due (it may be in the past). */
  dueAt: Date;
  reason: string;
  /** Whose rule applies: certbot's own (>= 4.0), or certkit's for older certbot. */
  decidedBy: 'certbot' | 'certkit';
}

/**
 * When a certificate is due. certbot from 4.0 renews once a third of the lifetime is left (half when the lifetime
 * is under 10 days) and knows the CA's renewal window (ARI), so certkit lets it decide (`decidedBy: 'certbot'`);
 * certkit only steps in once the CA's window is open (renewal-window.ts), which certbot may not have asked about yet.
 * Before 4.0 certbot renews 30 days before expiry, which misses long certificates' thirds and would renew a
 * short-lived certificate at every check (and run into the 5-per-week duplicate limit); there certkit decides:
 * the earlier of the two rules, but never before half the lifetime has passed.
 */
export function decideRenewal(cert: { notBefore: Date; notAfter: Date }, now: Date, certbot: Version): DueDecision {
  const end = cert.notAfter.getTime();
  const lifetime = end - cert.notBefore.getTime();
  const { dueAtMs, decidedBy } = dueTime(cert, certbot);
  const due = now.getTime() >= dueAtMs;
  const left = `${formatDuration(end - now.getTime())} left of ${formatDuration(lifetime)}`;
  return {
    due,
    dueAt: new Date(dueAtMs),
    decidedBy,
    reason: due ? `due for renewal (${left})` : `not due until ${new Date(dueAtMs).toISOString()} (${left})`,
  };
}

/** decideRenewal's dueAt alone, for listings of many certificates (`certkit status`). */
export function renewalDueAt(cert: { notBefore: Date; notAfter: Date }, certbot: Version): Date {
  return new Date(dueTime(cert, certbot).dueAtMs);
}

function dueTime(cert: { notBefore: Date; notAfter: Date }, certbot: Version): { dueAtMs: number; decidedBy: DueDecision['decidedBy'] } {
  const start = cert.notBefore.getTime();
  const end = cert.notAfter.getTime();
  const lifetime = end - start;
  const byFraction = end - lifetime * (lifetime < 10 * DAY_MS ? 1 / 2 : 1 / 3);
  const decidedBy = versionAtLeast(certbot, 4, 0) ? 'certbot' : 'certkit';
  const dueAtMs = decidedBy === 'certbot' ? byFraction : Math.max(Math.min(byFraction, end - 30 * DAY_MS), start + lifetime / 2);
  return { dueAtMs, decidedBy };
}

export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  const sign = ms < 0 ? '-' : '';
  if (abs >= 2 * DAY_MS) return `${sign}${Math.floor(abs / DAY_MS)}d`;
  if (abs >= 2 * 3_600_000) return `${sign}${Math.floor(abs / 3_600_000)}h`;
  if (abs >= 2 * 60_000) return `${sign}${Math.floor(abs / 60_000)}m`;
  return `${sign}${Math.floor(abs / 1000)}s`;
}

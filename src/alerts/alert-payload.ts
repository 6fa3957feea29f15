import type { AlertMessage } from './alert-state.js';

/** The JSON body posted to each webhook. `text` alone reads well in Slack, Mattermost and ntfy-style receivers. */
export interface AlertPayload {
  text: string;
  event: AlertMessage['event'];
  alert: AlertMessage['kind'];
  certificate: string;
  project: string;
  since: string;
  at: string;
  details: AlertMessage['details'];
}

const TITLES: Record<AlertMessage['kind'], string> = {
  renewal_failed: 'renewal failed',
  certificate_expiring: 'certificate expiring',
  serial_mismatch: 'nginx serves another certificate',
  replica_stale: 'an nginx replica is not on the newest certificate',
};

export function alertPayload(message: AlertMessage, project: string): AlertPayload {
  const head = message.event === 'resolved' ? 'RESOLVED' : message.event === 'reminder' ? 'STILL FAILING' : 'PROBLEM';
  const since = message.event === 'firing' ? '' : ` (since ${message.since})`;
  return {
    text: `[certkit ${project}] ${head}: ${TITLES[message.kind]}${since}: ${message.summary}`,
    event: message.event,
    alert: message.kind,
    certificate: message.certificate,
    project,
    since: message.since,
    at: message.at,
    details: message.details,
  };
}

import { CertkitError } from '../errors.js';
import { parseDuration } from './duration.js';
import type { EnvFile } from './read-env-file.js';

/** What the daemon's monitoring needs: its HTTP port, how stale a check may get, and where alerts go. */
export interface MonitoringConfig {
  /** The port /metrics and /healthz listen on inside the certkit container (all interfaces of the container). */
  metricsPort: number;
  /** /healthz turns unhealthy when the loop is this late: a check running longer, or a sleep overrunning. */
  healthGraceMs: number;
  /** Webhook URLs for alerts; secrets, never logged in full. */
  alertWebhooks: URL[];
}

const DEFAULT_PORT = 9464;
const DEFAULT_GRACE = '20m';

/**
 * Reads CERTKIT_METRICS_PORT, CERTKIT_HEALTH_GRACE and CERTKIT_ALERT_WEBHOOK (environment first, then .env), each
 * problem naming the variable, the value and the fix. Kept apart from loadConfig: only the daemon and `certkit health`
 * need these, and a bad webhook must not stop `certkit update`.
 */
export function loadMonitoringConfig(input: { env: NodeJS.ProcessEnv; file?: EnvFile | undefined }): MonitoringConfig {
  const problems: string[] = [];
  const value = (key: string): { raw: string; where: string } => {
    const fromEnv = input.env[key];
    const raw = (fromEnv ?? input.file?.values[key] ?? '').trim();
    const line = input.file?.lines[key];
    const where = fromEnv !== undefined ? ' (from the environment)' : line ? ` (${input.file?.path} line ${line})` : '';
    return { raw, where };
  };

  const port = value('CERTKIT_METRICS_PORT');
  const metricsPort = port.raw === '' ? DEFAULT_PORT : Number(port.raw);
  if (!/^\d{1,5}$/.test(port.raw || String(DEFAULT_PORT)) || metricsPort < 1 || metricsPort > 65535) {
    problems.push(
      `CERTKIT_METRICS_PORT: ${JSON.stringify(port.raw)} is not a port between 1 and 65535 (default ${DEFAULT_PORT})${port.where}`,
    );
  }

  const grace = value('CERTKIT_HEALTH_GRACE');
  const healthGraceMs = parseDuration(grace.raw || DEFAULT_GRACE);
  if (healthGraceMs === undefined) {
    problems.push(`CERTKIT_HEALTH_GRACE: ${JSON.stringify(grace.raw)} is not a duration between 1s and 1d, like 20m or 90s${grace.where}`);
  }

  const hooks = value('CERTKIT_ALERT_WEBHOOK');
  const alertWebhooks: URL[] = [];
  hooks.raw
    .split(/[\s,]+/)
    .filter(Boolean)
    .forEach((text, index) => {
      const url = URL.canParse(text) ? new URL(text) : undefined;
      // The URL is a secret: the message names its position, never its text.
      if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:'))
        problems.push(
          `CERTKIT_ALERT_WEBHOOK: URL number ${index + 1} is not an http:// or https:// URL; separate several with commas or spaces${hooks.where}`,
        );
      else alertWebhooks.push(url);
    });

  if (problems.length > 0) {
    throw new CertkitError('CONFIG_INVALID', `Invalid configuration:\n  ${problems.join('\n  ')}`, { details: problems });
  }
  return { metricsPort, healthGraceMs: healthGraceMs as number, alertWebhooks };
}

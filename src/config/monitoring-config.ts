import * as z from 'zod';
import { configError } from './config-error.js';
import { parseDuration } from './duration.js';
import { settingOrigin, settingReader, type ReadSetting, type SettingSource } from './read-setting.js';
import { readWebhookUrl } from './webhook-url.js';

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

const metricsPortSchema = z
  .string()
  .regex(/^\d{1,5}$/, `is not a port between 1 and 65535 (default ${DEFAULT_PORT})`)
  .transform(Number)
  .refine((port) => port >= 1 && port <= 65535, `is not a port between 1 and 65535 (default ${DEFAULT_PORT})`);

const graceSchema = z.string().transform((raw, ctx): number => {
  const ms = parseDuration(raw);
  if (ms !== undefined) return ms;
  ctx.addIssue({ code: 'custom', message: 'is not a duration between 1s and 1d, like 20m or 90s' });
  return z.NEVER;
});

/**
 * CERTKIT_METRICS_PORT, CERTKIT_HEALTH_GRACE and CERTKIT_ALERT_WEBHOOK. Only the daemon uses them, but loadConfig
 * reads them with every other setting, so `render` (certkit-init) and `update` refuse a value the daemon would refuse
 * at its next start.
 */
export function readMonitoringSettings(source: SettingSource, read: ReadSetting, problems: string[]): MonitoringConfig {
  const metricsPort = read('CERTKIT_METRICS_PORT', String(DEFAULT_PORT), metricsPortSchema);
  const healthGraceMs = read('CERTKIT_HEALTH_GRACE', '20m', graceSchema);
  const raw = (source.env['CERTKIT_ALERT_WEBHOOK'] ?? source.file?.values['CERTKIT_ALERT_WEBHOOK'] ?? '').trim();
  const alertWebhooks: URL[] = [];
  raw
    .split(/[\s,]+/)
    .filter(Boolean)
    .forEach((text, index) => {
      const read = readWebhookUrl(text);
      // The URL is a secret: the message names its position, never its text.
      if ('url' in read) alertWebhooks.push(read.url);
      else
        problems.push(
          `CERTKIT_ALERT_WEBHOOK: URL number ${index + 1} ${read.problem}; separate several URLs with commas or spaces${settingOrigin(source, 'CERTKIT_ALERT_WEBHOOK')}`,
        );
    });
  return { metricsPort: metricsPort ?? DEFAULT_PORT, healthGraceMs: healthGraceMs ?? 1_200_000, alertWebhooks };
}

/** The monitoring settings alone, for `certkit health` (the healthcheck needs only the port). */
export function loadMonitoringConfig(source: SettingSource): MonitoringConfig {
  const problems: string[] = [];
  const config = readMonitoringSettings(source, settingReader(source, problems).read, problems);
  if (problems.length > 0) throw configError(problems);
  return config;
}

import { describe, expect, it } from 'vitest';
import { loadMonitoringConfig } from '../../../src/config/monitoring-config.js';
import { parseEnvFile } from '../../../src/config/read-env-file.js';
import { CertkitError } from '../../../src/errors.js';

describe('loadMonitoringConfig', () => {
  it('has defaults', () => {
    expect(loadMonitoringConfig({ env: {} })).toEqual({ metricsPort: 9464, healthGraceMs: 1_200_000, alertWebhooks: [] });
  });

  it('reads several webhook URLs separated by commas or spaces', () => {
    const config = loadMonitoringConfig({ env: { CERTKIT_ALERT_WEBHOOK: 'https://a.test/x, https://b.test/y http://receiver:8080/' } });
    expect(config.alertWebhooks.map((url) => url.host)).toEqual(['a.test', 'b.test', 'receiver:8080']);
  });

  it('names the variable and the line, and never echoes a webhook URL', () => {
    const file = parseEnvFile(
      '.env',
      'CERTKIT_METRICS_PORT=99999\nCERTKIT_ALERT_WEBHOOK=https://ok.test/a ftp://secret-token@x\nCERTKIT_HEALTH_GRACE=soon\n',
    );
    let error: unknown;
    try {
      loadMonitoringConfig({ env: {}, file });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CertkitError);
    const message = (error as CertkitError).message;
    expect(message).toContain('CERTKIT_METRICS_PORT: "99999" is not a port between 1 and 65535 (default 9464) (.env line 1)');
    expect(message).toContain(
      'CERTKIT_ALERT_WEBHOOK: URL number 2 is a ftp: URL; alerts are sent as HTTP POSTs, so only http:// and https:// URLs work',
    );
    expect(message).toContain('CERTKIT_HEALTH_GRACE: "soon" is not a duration');
    expect(message).not.toContain('secret-token');
  });
});

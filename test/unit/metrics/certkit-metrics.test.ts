import { describe, expect, it } from 'vitest';
import { CertkitMetrics } from '../../../src/metrics/certkit-metrics.js';
import { issuerName } from '../../../src/metrics/certificate-samples.js';
import { timeCertbotRuns } from '../../../src/metrics/timed-engine.js';
import type { Engine } from '../../../src/docker/engine.js';
import type { StatusEntry } from '../../../src/store/status-entries.js';
import { statusEntry } from '../support/status-entry.js';

function entry(overrides: Partial<StatusEntry> = {}): StatusEntry {
  return statusEntry({ issuer: "C=US\nO=Let's Encrypt\nCN=R11", profile: 'shortlived', ...overrides });
}

describe('CertkitMetrics', () => {
  it('exports each certificate of the status entries with name, issuer and profile labels', async () => {
    const metrics = new CertkitMetrics({ version: '0.1.0', nodeVersion: 'v20.0.0' });
    metrics.setCertificates([entry(), entry({ name: 'b.test', profile: null, issuer: null, served: 'zz', ready: false })]);
    const text = await metrics.text();
    expect(text).toContain('certkit_certificate_expiration_timestamp_seconds{name="a.test",issuer="R11",profile="shortlived"} 1794009600');
    expect(text).toContain('certkit_certificate_not_before_timestamp_seconds{name="a.test",issuer="R11",profile="shortlived"} 1793491200');
    expect(text).toContain('certkit_certificate_renewal_timestamp_seconds{name="a.test",issuer="R11",profile="shortlived"} 1793750400');
    expect(text).toContain('certkit_certificate_ready_status{name="a.test",issuer="R11",profile="shortlived",condition="True"} 1');
    expect(text).toContain('certkit_certificate_ready_status{name="b.test",issuer="",profile="default",condition="False"} 1');
    expect(text).toContain('certkit_certificate_served_serial_match{name="b.test",issuer="",profile="default"} 0');
    expect(text).toContain('certkit_build_info{version="0.1.0",node_version="v20.0.0"} 1');
  });

  it('drops the series of a certificate that left the store', async () => {
    const metrics = new CertkitMetrics({ version: '0.1.0', nodeVersion: 'v20.0.0' });
    metrics.setCertificates([entry(), entry({ name: 'b.test' })]);
    metrics.setCertificates([entry()]);
    expect(await metrics.text()).not.toContain('b.test');
  });

  it('counts checks, failures by reason, and the time of the last and next check', async () => {
    const metrics = new CertkitMetrics({ version: '0.1.0', nodeVersion: 'v20.0.0' });
    metrics.recordCheck({ at: new Date(1_000_000), ok: true, next: new Date(2_000_000), certificate: 'a.test', attempted: false });
    let text = await metrics.text();
    expect(text).toContain('certkit_renewal_attempts_total{name="a.test"} 0');
    metrics.recordCheck({
      at: new Date(3_000_000),
      ok: false,
      next: new Date(3_060_000),
      certificate: 'a.test',
      attempted: true,
      reason: 'CA_REFUSED',
    });
    text = await metrics.text();
    expect(text).toContain('certkit_renewal_attempts_total{name="a.test"} 1');
    expect(text).toContain('certkit_renewal_failures_total{name="a.test",reason="CA_REFUSED"} 1');
    expect(text).toContain('certkit_last_check_timestamp_seconds 3000');
    expect(text).toContain('certkit_last_check_success 0');
    expect(text).toContain('certkit_next_check_timestamp_seconds 3060');
  });

  it('times certbot runs made through the engine, and only those', async () => {
    const metrics = new CertkitMetrics({ version: '0.1.0', nodeVersion: 'v20.0.0' });
    let clock = 0;
    const engine = {
      exec: async (_id: string, argv: readonly string[]) => {
        clock += argv[1] === 'renew' ? 12_000 : 5;
        return { exitCode: argv[1] === 'renew' ? 1 : 0, stdout: '', stderr: '' };
      },
    } as unknown as Engine;
    const timed = timeCertbotRuns(
      engine,
      (command, ok, seconds) => metrics.recordCertbotRun(command, ok, seconds),
      () => clock,
    );
    await timed.exec('c', ['certbot', 'renew']);
    await timed.exec('c', ['certbot', '--version']);
    await timed.exec('c', ['cat', '/x']);
    const text = await metrics.text();
    expect(text).toContain('certkit_certbot_run_duration_seconds_count{command="renew",result="failure"} 1');
    expect(text).toContain('certkit_certbot_run_duration_seconds_sum{command="renew",result="failure"} 12');
    expect(text).not.toContain('command="--version"');
  });
});

describe('issuerName', () => {
  it('takes the common name of an issuer', () => {
    expect(issuerName("C=US\nO=Let's Encrypt\nCN=R11")).toBe('R11');
    expect(issuerName('CN=Pebble Intermediate CA 3dd3f4')).toBe('Pebble Intermediate CA 3dd3f4');
    expect(issuerName('O=Example')).toBe('O=Example');
  });
});

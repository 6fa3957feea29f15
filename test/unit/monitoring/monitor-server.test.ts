import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { isCertkitError } from '../../../src/errors.js';
import { startMonitorServer } from '../../../src/monitoring/monitor-server.js';

// A loopback server on an ephemeral port: the HTTP surface of the daemon without Docker.
describe('startMonitorServer', () => {
  const monitor = (healthy: boolean) => ({
    metricsText: async () => 'certkit_up 1\n',
    liveness: () => ({ healthy, reason: healthy ? 'sleeping' : 'checking too long' }),
  });

  it('serves /metrics and /healthz, 503 when unhealthy', async () => {
    const server = await startMonitorServer(monitor(false), 0, '127.0.0.1');
    onTestFinished(() => void server.close());
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    expect(await metrics.text()).toBe('certkit_up 1\n');
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.text()).toBe('unhealthy: checking too long\n');
    expect((await fetch(`${base}/other`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('names the variable when the port is taken', async () => {
    const first = await startMonitorServer(monitor(true), 0, '127.0.0.1');
    onTestFinished(() => void first.close());
    const port = (first.address() as AddressInfo).port;
    const error = await startMonitorServer(monitor(true), port, '127.0.0.1').catch((caught: unknown) => caught);
    expect(isCertkitError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toBe(`CERTKIT_METRICS_PORT: port ${port} on 127.0.0.1 is already in use; set another port in .env`);
  });
});

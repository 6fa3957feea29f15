import { describe, expect, it } from 'vitest';
import type { ServiceContainer } from '../../../src/docker/engine.js';
import { daemonHealthUrl, ownHealthUrl } from '../../../src/health/health-url.js';

const certkit = (overrides: Partial<ServiceContainer> = {}): ServiceContainer => ({
  id: 'certkit-1',
  name: 'ck-certkit-1',
  project: 'ck',
  service: 'certkit',
  running: true,
  state: 'running',
  networks: { ck_default: '172.30.0.4' },
  ports: [],
  labels: {},
  ...overrides,
});

describe('daemonHealthUrl: the /healthz of this project’s daemon, seen from the host (issue 19)', () => {
  it('the port compose.metrics.yaml publishes, not 127.0.0.1:CERTKIT_METRICS_PORT', () => {
    const published = certkit({ ports: [{ containerPort: 9464, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 19464 }] });
    expect(daemonHealthUrl({ project: 'ck', metricsPort: 9464, certkit: published, self: undefined })).toEqual({
      url: 'http://127.0.0.1:19464/healthz',
    });
  });

  it('a wildcard bind is asked on loopback; IPv6 in brackets', () => {
    const v4 = certkit({ ports: [{ containerPort: 9500, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 9501 }] });
    expect(daemonHealthUrl({ project: 'ck', metricsPort: 9500, certkit: v4, self: undefined })).toEqual({
      url: 'http://127.0.0.1:9501/healthz',
    });
    const v6 = certkit({ ports: [{ containerPort: 9500, protocol: 'tcp', hostIp: '::', hostPort: 9501 }] });
    expect(daemonHealthUrl({ project: 'ck', metricsPort: 9500, certkit: v6, self: undefined })).toEqual({
      url: 'http://[::1]:9501/healthz',
    });
  });

  it('unpublished: a problem naming compose.metrics.yaml, never a guess at a port another stack may hold', () => {
    const answer = daemonHealthUrl({ project: 'ck', metricsPort: 9464, certkit: certkit(), self: undefined });
    expect(answer).toEqual({ problem: expect.stringContaining('publishes no port for CERTKIT_METRICS_PORT (9464)') });
    expect((answer as { problem: string }).problem).toContain('compose.metrics.yaml');
  });

  it('no certkit container, or a stopped one: a problem', () => {
    expect(daemonHealthUrl({ project: 'ck', metricsPort: 9464, certkit: undefined, self: undefined })).toEqual({
      problem: expect.stringContaining('no certkit container in Compose project "ck"'),
    });
    expect(
      daemonHealthUrl({ project: 'ck', metricsPort: 9464, certkit: certkit({ running: false, state: 'exited' }), self: undefined }),
    ).toEqual({
      problem: 'the certkit container (ck-certkit-1) is exited: its renewal loop does not run',
    });
  });

  it('in its own container, loopback (the compose healthcheck); from another container of the stack, the shared network', () => {
    const own = certkit();
    expect(daemonHealthUrl({ project: 'ck', metricsPort: 9464, certkit: own, self: own })).toEqual({
      url: 'http://127.0.0.1:9464/healthz',
    });
    const init = certkit({ id: 'init-1', name: 'ck-certkit-init-1', service: 'certkit-init', networks: { ck_default: '172.30.0.9' } });
    expect(daemonHealthUrl({ project: 'ck', metricsPort: 9464, certkit: own, self: init })).toEqual({
      url: 'http://172.30.0.4:9464/healthz',
    });
  });
});

describe('ownHealthUrl: the healthcheck in the daemon’s own container (Compose and Swarm, issue 21)', () => {
  it('is loopback at CERTKIT_METRICS_PORT in the certkit container only, without asking Docker', () => {
    expect(ownHealthUrl({ CERTKIT_CONTAINER: 'certkit' }, 9464)).toBe('http://127.0.0.1:9464/healthz');
    expect(ownHealthUrl({ CERTKIT_CONTAINER: 'certkit' }, 19000)).toBe('http://127.0.0.1:19000/healthz');
    expect(ownHealthUrl({ CERTKIT_CONTAINER: 'certkit-init' }, 9464)).toBeUndefined();
    expect(ownHealthUrl({}, 9464)).toBeUndefined();
  });
});

import type { StatusEntry } from '../../../src/store/status-entries.js';

/** A healthy `certkit status` entry (a 6-day certificate, deployed and served), with what a test changes. */
export function statusEntry(overrides: Partial<StatusEntry> = {}): StatusEntry {
  return {
    name: 'a.test',
    domains: ['a.test'],
    notBefore: '2026-11-01T00:00:00.000Z',
    notAfter: '2026-11-07T00:00:00.000Z',
    renewalAt: '2026-11-04T00:00:00.000Z',
    daysLeft: 3,
    serial: 'aa',
    issuer: 'CN=R11',
    profile: null,
    keyType: 'ECDSA P-256',
    versions: 1,
    live: 'ok',
    deployed: 'ok',
    served: 'aa',
    ready: true,
    problems: [],
    ...overrides,
  };
}

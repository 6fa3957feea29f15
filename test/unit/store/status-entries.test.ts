import { describe, expect, it } from 'vitest';
import type { CertificateReport } from '../../../src/store/analyze-store.js';
import { buildStatusEntries, formatStatusTable } from '../../../src/store/status-entries.js';

// Hand-built reports: buildStatusEntries is pure, so no store or certificate is needed to test the merge.
function report(name: string, overrides: Partial<CertificateReport> = {}): CertificateReport {
  return {
    name,
    domains: [name, `www.${name}`],
    notBefore: new Date('2030-05-16T12:00:00Z'),
    notAfter: new Date('2030-08-14T12:00:00Z'),
    renewalAt: new Date('2030-07-15T12:00:00Z'),
    valid: true,
    daysLeft: 60,
    serial: `serial-${name}`,
    issuer: 'CN=certkit test CA',
    keyType: 'ECDSA P-256',
    versions: 1,
    newestVersion: 1,
    live: 'ok',
    renewal: null,
    problems: [],
    ...overrides,
  };
}

const NO_SERVED = new Map<string, string | null>();

describe('buildStatusEntries: deployed', () => {
  it("says 'unknown' for every certificate when no deploy folder was read", () => {
    const [entry] = buildStatusEntries([report('a.test')], undefined, NO_SERVED);
    expect(entry).toMatchObject({ name: 'a.test', deployed: 'unknown', served: null, problems: [] });
    expect(entry?.notAfter).toBe('2030-08-14T12:00:00.000Z');
  });

  it("says 'ok' when the deployed serial is the store's, 'missing' when the name has no deployed folder", () => {
    const deployed = new Map<string, string | undefined>([['a.test', 'serial-a.test']]);
    const entries = buildStatusEntries([report('a.test'), report('b.test')], deployed, NO_SERVED);
    expect(entries.map((entry) => [entry.name, entry.deployed, entry.problems.length])).toEqual([
      ['a.test', 'ok', 0],
      ['b.test', 'missing', 0],
    ]);
  });

  it('calls an older deployed copy stale and says how to redeploy', () => {
    const deployed = new Map<string, string | undefined>([['a.test', 'old-serial']]);
    const [entry] = buildStatusEntries([report('a.test')], deployed, NO_SERVED);
    expect(entry?.deployed).toBe('stale (serial old-serial)');
    expect(entry?.problems).toEqual([expect.stringContaining('serial old-serial, the store has serial-a.test')]);
    expect(entry?.problems[0]).toContain('certkit doctor --fix');
  });

  it('calls a deployed copy with an unreadable cert.pem stale (serial unreadable)', () => {
    const deployed = new Map<string, string | undefined>([['a.test', undefined]]);
    const [entry] = buildStatusEntries([report('a.test')], deployed, NO_SERVED);
    expect(entry?.deployed).toBe('stale (serial unreadable)');
    expect(entry?.problems).toHaveLength(1);
  });

  it("keeps the analysis's own problems first and does not change the report", () => {
    const original = report('a.test', { problems: ['live/a.test/cert.pem is a copy'] });
    const [entry] = buildStatusEntries([original], new Map([['a.test', 'old']]), NO_SERVED);
    expect(entry?.problems[0]).toBe('live/a.test/cert.pem is a copy');
    expect(entry?.problems).toHaveLength(2);
    expect(original.problems).toHaveLength(1);
  });
});

describe('buildStatusEntries: served', () => {
  const deployed = new Map<string, string | undefined>([['a.test', 'serial-a.test']]);

  it('is no problem when nginx serves the deployed serial', () => {
    const [entry] = buildStatusEntries([report('a.test')], deployed, new Map([['a.test', 'serial-a.test']]));
    expect(entry).toMatchObject({ served: 'serial-a.test', deployed: 'ok', problems: [] });
  });

  it('is a problem when a deployed certificate is served with another serial, or none', () => {
    const [other] = buildStatusEntries([report('a.test')], deployed, new Map([['a.test', 'placeholder']]));
    expect(other?.served).toBe('placeholder');
    expect(other?.problems).toEqual([expect.stringContaining('nginx serves serial placeholder for a.test, not serial-a.test')]);
    const [none] = buildStatusEntries([report('a.test')], deployed, new Map([['a.test', null]]));
    expect(none?.served).toBeNull();
    expect(none?.problems).toEqual([expect.stringContaining('nginx serves no certificate for a.test')]);
  });

  it('is no problem when the certificate is not deployed, or nginx was not checked for it', () => {
    const served = new Map<string, string | null>([['b.test', 'something-else']]);
    const entries = buildStatusEntries([report('a.test'), report('b.test')], deployed, served);
    expect(entries.map((entry) => entry.problems)).toEqual([[], []]);
    expect(entries[1]).toMatchObject({ deployed: 'missing', served: 'something-else' });
    const [unknown] = buildStatusEntries([report('a.test')], undefined, new Map([['a.test', null]]));
    expect(unknown?.problems).toEqual([]);
  });
});

describe('formatStatusTable', () => {
  it('says so for an empty store', () => {
    expect(formatStatusTable([])).toBe('no certificates in the store\n');
  });

  it('prints a header and one aligned row per certificate, and no problems section when all is well', () => {
    const entries = buildStatusEntries(
      [report('a.test'), report('longer-name.test', { notAfter: null, daysLeft: null, serial: null })],
      undefined,
      NO_SERVED,
    );
    const lines = formatStatusTable(entries).trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]?.split(/\s+/)).toEqual(['NAME', 'DOMAINS', 'EXPIRES', 'PROFILE', 'SERIAL', 'VERSIONS', 'LIVE', 'DEPLOYED', 'SERVED']);
    expect(lines[1]).toContain('2030-08-14 (60d)');
    expect(lines[2]?.split(/\s+/)).toEqual([
      'longer-name.test',
      'longer-name.test,www.longer-name.test',
      '-',
      '-',
      '-',
      '1',
      'ok',
      'unknown',
      '-',
    ]);
    // Columns line up: DOMAINS starts at the same offset in every line.
    const offsets = lines.map((line) => line.search(/ (a|longer-name)\.test,| DOMAINS/));
    expect(new Set(offsets).size).toBe(1);
    expect(formatStatusTable(entries)).not.toContain('problems:');
  });

  it('shows the profile renewals request, from the renewal conf', () => {
    const renewal = {
      version: '5.5.0',
      server: undefined,
      authenticator: 'webroot',
      account: undefined,
      keyType: 'ecdsa',
      ellipticCurve: undefined,
      rsaKeySize: undefined,
      profile: 'shortlived',
      deployHook: undefined,
      webrootPaths: [],
      paths: {},
    };
    const [entry] = buildStatusEntries([report('a.test', { renewal })], undefined, NO_SERVED);
    expect(entry?.profile).toBe('shortlived');
    expect(
      formatStatusTable(entry ? [entry] : [])
        .split('\n')[1]
        ?.split(/\s+/)[4],
    ).toBe('shortlived');
  });

  it('lists every problem under the table, prefixed by the certificate name', () => {
    const entries = buildStatusEntries(
      [report('a.test', { problems: ['first'] }), report('b.test')],
      new Map([['b.test', 'old']]),
      NO_SERVED,
    );
    const text = formatStatusTable(entries);
    const [, problems] = text.split('\n\nproblems:\n');
    expect(problems?.trimEnd().split('\n')).toEqual([
      '  a.test: first',
      expect.stringMatching(/^ {2}b\.test: the deployed copy is serial old/),
    ]);
  });
});

describe('buildStatusEntries: ready (what /metrics reports as certkit_certificate_ready_status)', () => {
  const deployed = new Map<string, string | undefined>([['a.test', 'serial-a.test']]);
  const served = new Map<string, string | null>([['a.test', 'serial-a.test']]);

  it('is ready only when valid, deployed as the store serial and served', () => {
    expect(buildStatusEntries([report('a.test')], deployed, served)[0]?.ready).toBe(true);
    expect(buildStatusEntries([report('a.test', { valid: false })], deployed, served)[0]?.ready).toBe(false);
    expect(buildStatusEntries([report('a.test')], new Map([['a.test', 'old']]), served)[0]?.ready).toBe(false);
    expect(buildStatusEntries([report('a.test')], deployed, new Map([['a.test', null]]))[0]?.ready).toBe(false);
    expect(buildStatusEntries([report('a.test')], deployed, NO_SERVED)[0]?.ready).toBe(false);
  });

  it('carries notBefore, the planned renewal and the profile', () => {
    const [entry] = buildStatusEntries(
      [
        report('a.test', {
          renewal: {
            version: '5.1.0',
            server: undefined,
            authenticator: 'webroot',
            account: undefined,
            keyType: undefined,
            ellipticCurve: undefined,
            rsaKeySize: undefined,
            deployHook: undefined,
            webrootPaths: [],
            paths: {},
            profile: 'shortlived',
          },
        }),
      ],
      deployed,
      served,
    );
    expect(entry).toMatchObject({ notBefore: '2030-05-16T12:00:00.000Z', renewalAt: '2030-07-15T12:00:00.000Z', profile: 'shortlived' });
  });
});

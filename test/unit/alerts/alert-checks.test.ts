import { describe, expect, it } from 'vitest';
import { certificateChecks, renewalCheck } from '../../../src/alerts/alert-checks.js';
import { alertPayload } from '../../../src/alerts/alert-payload.js';
import type { StatusEntry } from '../../../src/store/status-entries.js';
import { statusEntry } from '../support/status-entry.js';

function entry(overrides: Partial<StatusEntry> = {}): StatusEntry {
  return statusEntry({ ...overrides });
}

describe('certificateChecks', () => {
  it('fires the expiry alert below a sixth of the lifetime (6-day certificate: under a day left)', () => {
    const at = (iso: string) => certificateChecks([entry()], new Date(iso)).find((check) => check.kind === 'certificate_expiring');
    expect(at('2026-11-05T23:59:59Z')?.firing).toBe(false);
    expect(at('2026-11-06T00:00:01Z')?.firing).toBe(true);
    expect(at('2026-11-06T01:00:00Z')?.firing).toBe(true);
    expect(at('2026-11-06T01:00:00Z')?.summary).toMatch(/has 23h left of its 6d lifetime/);
  });

  it('fires the serving alert when nginx serves another serial, or none for a deployed certificate', () => {
    const serving = (overrides: Partial<StatusEntry>) =>
      certificateChecks([entry(overrides)], new Date('2026-11-02T00:00:00Z')).find((check) => check.kind === 'serial_mismatch');
    expect(serving({})?.firing).toBe(false);
    expect(serving({ served: 'bb' })?.firing).toBe(true);
    expect(serving({ served: 'bb' })?.summary).toBe('nginx serves serial bb for a.test, but the deployed certificate is aa');
    expect(serving({ served: null })?.firing).toBe(true);
    expect(serving({ served: null, deployed: 'unknown' })).toBeUndefined();
  });
});

describe('renewalCheck and the payload', () => {
  it('names the cause and the next retry, with a text field receivers show as is', () => {
    const check = renewalCheck({
      ok: false,
      certificate: 'a.test',
      code: 'CA_REFUSED',
      cause: 'The CA refused: rate limited.',
      nextRetry: new Date('2026-11-23T00:01:00Z'),
    });
    expect(check.firing).toBe(true);
    const payload = alertPayload(
      { event: 'firing', kind: check.kind, certificate: 'a.test', since: 'x', at: 'x', summary: check.summary, details: check.details },
      'web',
    );
    expect(payload.text).toBe(
      '[certkit web] PROBLEM: renewal failed: the check of a.test failed (CA_REFUSED): The CA refused: rate limited.; next retry at 2026-11-23T00:01:00.000Z',
    );
    expect(payload.details).toEqual({ code: 'CA_REFUSED', cause: 'The CA refused: rate limited.', nextRetry: '2026-11-23T00:01:00.000Z' });
    expect(renewalCheck({ ok: true, certificate: 'a.test', serial: 'aa' }).firing).toBe(false);
  });
});

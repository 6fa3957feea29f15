import { describe, expect, it } from 'vitest';
import { decideByRenewalWindow, parseRenewalWindow } from '../../../src/certbot/renewal-window.js';

const NOW = new Date('2026-06-01T12:00:00Z');
const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

describe('decideByRenewalWindow', () => {
  it('renews at once when the window has already ended', () => {
    const decision = decideByRenewalWindow({ start: at(-60), end: at(-30), explanationUrl: 'https://ca.example/incident' }, '0a', NOW);
    expect(decision.due).toBe(true);
    expect(decision.reason).toBe(
      `the CA asked for renewal (ARI): its renewal window for this certificate runs ${at(-60).toISOString()} to ${at(-30).toISOString()}; the CA explains why at https://ca.example/incident`,
    );
  });

  it('is not due before the window opens', () => {
    const decision = decideByRenewalWindow({ start: at(10), end: at(70), explanationUrl: undefined }, '0a', NOW);
    expect(decision.due).toBe(false);
    expect(decision.renewAt.getTime()).toBeGreaterThanOrEqual(at(10).getTime());
    expect(decision.reason).toMatch(/^the CA's renewal window \(ARI\) runs /);
  });

  it('picks one moment inside an open window per certificate, the same on every run, spread over serials', () => {
    const window = { start: at(-30), end: at(30), explanationUrl: undefined };
    const moments = ['01', '02', '03', '04', '05', '06', '07', '08'].map((serial) =>
      decideByRenewalWindow(window, serial, NOW).renewAt.getTime(),
    );
    for (const moment of moments) {
      expect(moment).toBeGreaterThanOrEqual(window.start.getTime());
      expect(moment).toBeLessThan(window.end.getTime());
    }
    expect(new Set(moments).size).toBe(moments.length);
    expect(decideByRenewalWindow(window, '01', NOW).renewAt).toEqual(decideByRenewalWindow(window, '01', at(5)).renewAt);
    // Due exactly from its moment on.
    const first = moments[0] as number;
    expect(decideByRenewalWindow(window, '01', new Date(first - 1)).due).toBe(false);
    expect(decideByRenewalWindow(window, '01', new Date(first)).due).toBe(true);
  });
});

describe('parseRenewalWindow', () => {
  it('reads the suggested window and the explanation URL', () => {
    expect(
      parseRenewalWindow({
        supported: true,
        window: { start: '2026-06-01T00:00:00Z', end: '2026-06-02T00:00:00Z' },
        explanationURL: 'https://x.example',
      }),
    ).toEqual({
      start: new Date('2026-06-01T00:00:00Z'),
      end: new Date('2026-06-02T00:00:00Z'),
      explanationUrl: 'https://x.example',
    });
  });

  it('ignores a CA without ARI and windows that are not windows (RFC 9773: end must follow start)', () => {
    expect(parseRenewalWindow({ supported: false })).toBeUndefined();
    expect(parseRenewalWindow({ supported: true })).toBeUndefined();
    expect(parseRenewalWindow({ supported: true, window: { start: '2026-06-02T00:00:00Z', end: '2026-06-01T00:00:00Z' } })).toBeUndefined();
    expect(parseRenewalWindow({ supported: true, window: { start: 'soon', end: '2026-06-01T00:00:00Z' } })).toBeUndefined();
    expect(parseRenewalWindow({ supported: true, window: { start: 5, end: 6 } })).toBeUndefined();
  });
});

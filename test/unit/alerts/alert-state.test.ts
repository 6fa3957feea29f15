import { describe, expect, it } from 'vitest';
import { evaluateAlerts, REMINDER_MS, type AlertCheck, type AlertState } from '../../../src/alerts/alert-state.js';

const T0 = new Date('2026-11-23T00:00:00Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);

function failing(firing: boolean, cause = 'the CA refused'): AlertCheck {
  return { kind: 'renewal_failed', certificate: 'a.test', firing, summary: firing ? cause : 'ok again', details: { cause } };
}

/** Feeds a sequence of (time, checks) through the state machine with a fake clock; returns every message. */
function run(steps: Array<[number, AlertCheck[]]>): Array<{ event: string; at: string; since: string }> {
  let state: AlertState = {};
  const sent: Array<{ event: string; at: string; since: string }> = [];
  for (const [ms, checks] of steps) {
    const result = evaluateAlerts(state, checks, at(ms));
    state = result.state;
    sent.push(...result.messages.map((message) => ({ event: message.event, at: message.at, since: message.since })));
  }
  return sent;
}

describe('evaluateAlerts', () => {
  it('fires once when a problem starts and stays quiet while it persists', () => {
    const sent = run([
      [0, [failing(false)]],
      [60_000, [failing(true)]],
      [660_000, [failing(true, 'another cause')]],
      [6_660_000, [failing(true)]],
    ]);
    expect(sent).toEqual([{ event: 'firing', at: at(60_000).toISOString(), since: at(60_000).toISOString() }]);
  });

  it('resolves once when the problem clears, naming when it began', () => {
    const sent = run([
      [0, [failing(true)]],
      [60_000, [failing(false)]],
      [120_000, [failing(false)]],
    ]);
    expect(sent.map((message) => message.event)).toEqual(['firing', 'resolved']);
    expect(sent[1]?.since).toBe(T0.toISOString());
  });

  it('reminds at most daily while a problem persists', () => {
    const hour = 3_600_000;
    const steps: Array<[number, AlertCheck[]]> = Array.from({ length: 50 }, (_, index) => [index * hour, [failing(true)]]);
    const sent = run(steps);
    expect(sent.map((message) => message.event)).toEqual(['firing', 'reminder', 'reminder']);
    expect(sent[1]?.at).toBe(at(REMINDER_MS).toISOString());
    expect(sent[2]?.at).toBe(at(2 * REMINDER_MS).toISOString());
  });

  it('leaves alerts alone when their check is not given (status could not be read)', () => {
    const expiring: AlertCheck = { kind: 'certificate_expiring', certificate: 'a.test', firing: true, summary: 'expiring', details: {} };
    const sent = run([
      [0, [expiring]],
      [60_000, []],
      [120_000, [{ ...expiring, firing: false }]],
    ]);
    expect(sent.map((message) => message.event)).toEqual(['firing', 'resolved']);
  });

  it('keeps each kind and certificate apart', () => {
    const other: AlertCheck = { ...failing(true), certificate: 'b.test' };
    const sent = run([
      [0, [failing(true), other]],
      [1_000, [failing(false), other]],
    ]);
    expect(sent.map((message) => message.event)).toEqual(['firing', 'firing', 'resolved']);
  });
});

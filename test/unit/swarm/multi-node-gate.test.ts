import { describe, expect, it } from 'vitest';
import { multiNodeNotRun } from '../../e2e/support/multi-node-gate.js';

describe('multiNodeNotRun: where the three-node Swarm test runs', () => {
  it('runs when asked, on either stack, and in CI on the current stack only', () => {
    expect(multiNodeNotRun({ CERTKIT_TEST_MULTINODE: '1' }, 'legacy')).toBeUndefined();
    expect(multiNodeNotRun({ CERTKIT_TEST_MULTINODE: '1', CI: 'true' }, 'current')).toBeUndefined();
    expect(multiNodeNotRun({ CI: 'true' }, 'current')).toBeUndefined();
    expect(multiNodeNotRun({ CI: 'true' }, 'legacy')).toMatch(/CI runs it on the current stack only/);
  });

  it('does not run outside CI unless asked, nor when told not to, saying why', () => {
    expect(multiNodeNotRun({}, 'current')).toMatch(/runs only with CERTKIT_TEST_MULTINODE=1, or under CI=true on the current stack/);
    expect(multiNodeNotRun({ CI: 'true', CERTKIT_TEST_MULTINODE: '0' }, 'current')).toBe(
      'CERTKIT_TEST_MULTINODE=0 (set it to 1 to run it)',
    );
  });
});

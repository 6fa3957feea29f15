import { describe, expect, it } from 'vitest';
import { sleepUntilRenderChanges } from '../../../src/update/render-watch.js';

/** A clock that moves only when the watch sleeps, and the stamp the files carry at each moment. */
function harness(stampAt: (elapsedMs: number) => string | undefined) {
  let clock = 0;
  const slept: number[] = [];
  return {
    slept,
    elapsed: () => clock,
    deps: {
      sleep: async (ms: number) => {
        slept.push(ms);
        clock += ms;
      },
      now: () => new Date(clock),
      pollMs: 30_000,
      readStamp: async () => stampAt(clock),
    },
  };
}

describe('sleepUntilRenderChanges: the daemon wakes for a rendering nginx does not run yet (issue 19)', () => {
  it('sleeps the whole pause in polls when nothing is rendered meanwhile', async () => {
    const watch = harness(() => 'certkit-config aaaa');
    await sleepUntilRenderChanges(100_000, undefined, watch.deps);
    expect(watch.elapsed()).toBe(100_000);
    expect(watch.slept).toEqual([30_000, 30_000, 30_000, 10_000]);
  });

  it('wakes at the first poll after certkit-init rendered a change', async () => {
    const watch = harness((elapsed) => (elapsed < 45_000 ? 'certkit-config aaaa' : 'certkit-config bbbb'));
    await sleepUntilRenderChanges(12 * 3_600_000, undefined, watch.deps);
    expect(watch.elapsed()).toBe(60_000);
  });

  it('a first rendering (files absent at the start) wakes it too; an aborted pause ends at once', async () => {
    const watch = harness((elapsed) => (elapsed === 0 ? undefined : 'certkit-config aaaa'));
    await sleepUntilRenderChanges(3_600_000, undefined, watch.deps);
    expect(watch.elapsed()).toBe(30_000);
    const stop = new AbortController();
    stop.abort();
    const idle = harness(() => 'certkit-config aaaa');
    await sleepUntilRenderChanges(3_600_000, stop.signal, idle.deps);
    expect(idle.slept).toEqual([]);
  });
});

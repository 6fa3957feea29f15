/**
 * The daemon's sleep between checks, cut short by `wake()` (a labelled container started or stopped): the next check
 * then runs `settleMs` after the last wake, so a `docker compose up` of several services is one check, not one each.
 */
export class Wakeup {
  private pending: (() => void) | undefined;
  private woken = false;

  constructor(
    private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>,
    private readonly settleMs: number,
  ) {}

  wake(): void {
    this.woken = true;
    this.pending?.();
  }

  /** Sleeps `ms`, or until woken; then lets wakes settle. Resolves at once when `signal` aborts. */
  async wait(ms: number, signal: AbortSignal): Promise<void> {
    const cut = new AbortController();
    const onAbort = (): void => cut.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    this.pending = () => cut.abort();
    if (this.woken) cut.abort();
    try {
      await this.sleep(ms, cut.signal);
      while (this.woken && !signal.aborted) {
        this.woken = false;
        const settle = new AbortController();
        const onSettleAbort = (): void => settle.abort();
        signal.addEventListener('abort', onSettleAbort, { once: true });
        this.pending = undefined;
        await this.sleep(this.settleMs, settle.signal);
        signal.removeEventListener('abort', onSettleAbort);
      }
    } finally {
      this.pending = undefined;
      signal.removeEventListener('abort', onAbort);
    }
  }
}

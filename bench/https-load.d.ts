export type ClientKind = 'keep-alive' | 'http2' | 'new-connection';
export const CLIENT_KINDS: readonly ClientKind[];
export interface LoadResult {
  ok: number;
  failed: number;
  /** failed: in the end; firstFailed: at the first attempt (no retry); retried: sent a second time (options.retry). */
  byKind: Record<ClientKind, { ok: number; failed: number; firstFailed: number; retried: number }>;
  /** "kind: cause" → count. */
  errors: Record<string, number>;
  serials: Set<string>;
  /** Each failed first attempt (at most 1,000): when it was sent and failed (ms since the epoch), and its cause. */
  failures: Array<{ sent: number; at: number; kind: ClientKind; cause: string; retriable: boolean; retryOk?: boolean }>;
}
export function runHttpsLoad(options: {
  port: number;
  servername: string;
  stop: Promise<unknown>;
  workers?: Partial<Record<ClientKind, number>>;
  maxRequests?: number;
  maxMs?: number;
  pauseMs?: number;
  /** Retry once where a browser would: a reused HTTP/1.1 connection closed before any response, a refused HTTP/2 stream. */
  retry?: boolean;
}): Promise<LoadResult>;
export function describeFailures(result: LoadResult): string;

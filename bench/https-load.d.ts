export type ClientKind = 'keep-alive' | 'http2' | 'new-connection';
export const CLIENT_KINDS: readonly ClientKind[];
export interface LoadResult {
  ok: number;
  failed: number;
  byKind: Record<ClientKind, { ok: number; failed: number }>;
  /** "kind: cause" → count. */
  errors: Record<string, number>;
  serials: Set<string>;
}
export function runHttpsLoad(options: {
  port: number;
  servername: string;
  stop: Promise<unknown>;
  workers?: Partial<Record<ClientKind, number>>;
  maxRequests?: number;
  maxMs?: number;
  pauseMs?: number;
}): Promise<LoadResult>;
export function describeFailures(result: LoadResult): string;

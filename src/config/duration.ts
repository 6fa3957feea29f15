const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration like `90s`, `20m`, `12h` or `1d` in milliseconds, or undefined unless it is between 1s and 1d. */
export function parseDuration(raw: string): number | undefined {
  const match = /^(\d+)\s*([smhd])$/.exec(raw);
  const ms = match ? Number(match[1]) * (UNIT_MS[match[2] as string] as number) : NaN;
  return Number.isFinite(ms) && ms >= 1_000 && ms <= 86_400_000 ? ms : undefined;
}

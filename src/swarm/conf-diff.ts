/**
 * Pure: the lines two texts differ by, as a unified diff's hunks (`-` what runs, `+` the rendering, `context` lines
 * around each change), for `certkit render` on Swarm: what the nginx service runs against what certkit would roll out.
 * Longest common subsequence over the lines left once the common head and tail are set aside; a text too long for
 * that (more than `maxCells` cells) is shown as a whole replaced, never a wrong diff.
 */
export function lineDiff(before: string, after: string, options: { context?: number; maxCells?: number } = {}): string[] {
  const context = options.context ?? 2;
  const a = splitLines(before);
  const b = splitLines(after);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head += 1;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail += 1;
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  const ops: Array<{ kind: ' ' | '-' | '+'; line: string }> = [
    ...a.slice(0, head).map((line) => ({ kind: ' ' as const, line })),
    ...middle(midA, midB, options.maxCells ?? 4_000_000),
    ...a.slice(a.length - tail).map((line) => ({ kind: ' ' as const, line })),
  ];
  return hunks(ops, context);
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function middle(a: readonly string[], b: readonly string[], maxCells: number): Array<{ kind: ' ' | '-' | '+'; line: string }> {
  if ((a.length + 1) * (b.length + 1) > maxCells) {
    return [...a.map((line) => ({ kind: '-' as const, line })), ...b.map((line) => ({ kind: '+' as const, line }))];
  }
  // lengths[i][j]: the common subsequence of a[i..] and b[j..].
  const width = b.length + 1;
  const lengths = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      lengths[i * width + j] =
        a[i] === b[j]
          ? (lengths[(i + 1) * width + j + 1] ?? 0) + 1
          : Math.max(lengths[(i + 1) * width + j] ?? 0, lengths[i * width + j + 1] ?? 0);
    }
  }
  const ops: Array<{ kind: ' ' | '-' | '+'; line: string }> = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ kind: ' ', line: a[i] ?? '' });
      i += 1;
      j += 1;
    } else if (i < a.length && (j === b.length || (lengths[(i + 1) * width + j] ?? 0) >= (lengths[i * width + j + 1] ?? 0))) {
      // What runs goes first: a changed line reads as removed, then added.
      ops.push({ kind: '-', line: a[i] ?? '' });
      i += 1;
    } else {
      ops.push({ kind: '+', line: b[j] ?? '' });
      j += 1;
    }
  }
  return ops;
}

/** The changed lines with `context` lines around them; `@@ line N @@` (of the running text) opens each hunk. */
function hunks(ops: ReadonlyArray<{ kind: ' ' | '-' | '+'; line: string }>, context: number): string[] {
  const keep = new Set<number>();
  ops.forEach((op, index) => {
    if (op.kind === ' ') return;
    for (let k = Math.max(0, index - context); k <= Math.min(ops.length - 1, index + context); k += 1) keep.add(k);
  });
  const out: string[] = [];
  let lineOfA = 0;
  let previous = -2;
  ops.forEach((op, index) => {
    if (keep.has(index)) {
      if (index !== previous + 1) out.push(`@@ line ${lineOfA + 1} @@`);
      out.push(`${op.kind}${op.line}`);
      previous = index;
    }
    if (op.kind !== '+') lineOfA += 1;
  });
  return out;
}

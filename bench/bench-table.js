// What every bench shares: a figure's ratio to its baseline, the row each bench records for `npm run bench`'s one
// combined table (appended to BENCH_RESULTS as JSON lines when run-all.js sets it), and the table printer.
import { appendFile } from 'node:fs/promises';

/** certkit's figure over the baseline's; a speed-up is also said the other way round. */
export function ratio(value, base) {
  if (!(base > 0)) return value === 0 ? '-' : 'n/a';
  return `${(value / base).toFixed(2)}x${value > 0 && value / base < 0.5 ? ` (${(base / value).toFixed(1)}x less)` : ''}`;
}

/** value and baseline in `unit`: 's' (given in ms), 'ms', 'count', '%', 'MiB'. */
export function formatValue(value, unit) {
  if (value === undefined || value === null) return '-';
  if (value === Infinity) return 'never';
  if (unit === 's') return `${(value / 1000).toFixed(3)} s`;
  if (unit === 'ms') return `${value < 10 ? value.toFixed(3) : value.toFixed(0)} ms`;
  if (unit === '%') return `${value.toFixed(2)} %`;
  if (unit === 'MiB') return `${value.toFixed(1)} MiB`;
  return String(value);
}

/** row: { section, metric, value, unit, baselineName, baseline, target } (target: text, optional). */
export async function recordRow(row) {
  if (process.env.BENCH_RESULTS) await appendFile(process.env.BENCH_RESULTS, `${JSON.stringify(row)}\n`);
}

export function printTable(title, lines) {
  const widths = lines[0].map((_, i) => Math.max(...lines.map((line) => String(line[i] ?? '').length)));
  process.stdout.write(`\n${title}\n`);
  for (const line of lines)
    process.stdout.write(`${line.map((cell, i) => String(cell ?? '').padEnd(widths[i])).join('  ')}\n`.trimEnd() + '\n');
}

/** The combined table's lines for these rows. */
export function tableLines(rows) {
  return [
    ['section', 'figure', 'certkit', 'baseline', 'baseline value', 'ratio', 'target'],
    ...rows.map((row) => [
      row.section,
      row.metric,
      formatValue(row.value, row.unit),
      row.baselineName,
      formatValue(row.baseline, row.unit),
      ratio(row.value, row.baseline),
      row.target ?? '',
    ]),
  ];
}

import { daysLeft } from '../certs/read-certificate.js';
import type { SiteOutcome, UpdateResult } from '../update/update.js';

/** The summary `certkit update` prints on stdout. */
export function formatUpdateResult(result: UpdateResult, now: Date): string {
  const lines = [`${result.certName}: ${result.action}`];
  lines.push(`  names     ${result.domains.join(', ')}`);
  if (result.reasons.length > 0) lines.push(`  why       ${result.reasons.join('; ')}`);
  if (result.serial) lines.push(`  serial    ${result.serial}`);
  if (result.notAfter) lines.push(`  expires   ${result.notAfter.toISOString()} (${daysLeft(result.notAfter, now)} days)`);
  if (result.profile) lines.push(`  profile   ${result.profile}`);
  if (result.action !== 'dry-run') {
    const allServed = result.served.length > 0 && result.served.every((entry) => entry.serial === result.serial);
    lines.push(`  served    ${allServed ? 'yes, for every name' : 'NO'}${result.reloaded ? ' (nginx reloaded)' : ''}`);
  }
  for (const outcome of result.others ?? []) lines.push(...formatOutcome(outcome, now));
  for (const refusal of result.refused ?? []) lines.push(`refused: ${refusal}`);
  return `${lines.join('\n')}\n`;
}

/** One of the other sites, under the .env site's lines: its result, why it waits, or its error (which is its alone). */
function formatOutcome(outcome: SiteOutcome, now: Date): string[] {
  if (outcome.skipped) return [`site ${outcome.site}: waits (${outcome.skipped})`];
  if (outcome.error)
    return [
      `site ${outcome.site}: FAILED ${outcome.error.code ?? ''}`.trimEnd(),
      ...outcome.error.message.split('\n').map((line) => `  ${line}`),
    ];
  if (!outcome.result) return [`site ${outcome.site}`];
  return formatUpdateResult({ ...outcome.result, others: [], refused: [] }, now)
    .trimEnd()
    .split('\n')
    .map((line, index) => (index === 0 ? `site ${outcome.site}: ${outcome.result?.action ?? ''}` : line));
}

export function updateResultJson(result: UpdateResult): Record<string, unknown> {
  return { ...result, notAfter: result.notAfter?.toISOString() ?? null, serial: result.serial ?? null, profile: result.profile ?? null };
}

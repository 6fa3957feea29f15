import { daysLeft } from '../certs/read-certificate.js';
import type { UpdateResult } from '../update/update.js';

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
  return `${lines.join('\n')}\n`;
}

export function updateResultJson(result: UpdateResult): Record<string, unknown> {
  return { ...result, notAfter: result.notAfter?.toISOString() ?? null, serial: result.serial ?? null, profile: result.profile ?? null };
}

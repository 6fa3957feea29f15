import { planPrune, type PrunePlan } from '../store/plan-prune.js';
import type { StoreSource } from './store-source.js';
import type { StoreWriter } from './store-writer.js';

/** `certkit prune --keep N [--yes]`: plans (and with a writer, performs) the removal of old versions, keys and CSRs. */
export async function runPrune(input: {
  source: StoreSource;
  keep: number;
  writer?: Pick<StoreWriter, 'remove'>;
}): Promise<{ plan: PrunePlan; removed: string[] }> {
  const plan = planPrune(await input.source.readSnapshot(), input.keep);
  const removed: string[] = [];
  if (input.writer) {
    for (const path of plan.remove) {
      await input.writer.remove(path);
      removed.push(path);
    }
  }
  return { plan, removed };
}

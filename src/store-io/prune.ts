import { planPrune, type PrunePlan } from '../store/plan-prune.js';
import type { StoreSource } from './store-source.js';

/** `certkit prune --keep N [--yes]`: plans (and with a remover, performs) the removal of old versions, keys and CSRs. */
export async function runPrune(input: { source: StoreSource; keep: number; remove?: (path: string) => Promise<void> }): Promise<{ plan: PrunePlan; removed: string[] }> {
  const plan = planPrune(await input.source.readSnapshot(), input.keep);
  const removed: string[] = [];
  if (input.remove) {
    for (const path of plan.remove) {
      await input.remove(path);
      removed.push(path);
    }
  }
  return { plan, removed };
}

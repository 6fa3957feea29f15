import type { Repair } from '../store/repair.js';
import type { StoreWriter } from './store-writer.js';

export interface AppliedRepair {
  repair: Repair;
  ok: boolean;
  error?: unknown;
}

/**
 * Applies repairs in order and stops at the first failure: later steps assume earlier ones (a link to a version
 * that a failed copy never wrote would dangle). Returns every step tried, the failed one last.
 */
export async function applyRepairs(repairs: readonly Repair[], writer: StoreWriter): Promise<AppliedRepair[]> {
  const applied: AppliedRepair[] = [];
  for (const repair of repairs) {
    try {
      await applyRepair(repair, writer);
      applied.push({ repair, ok: true });
    } catch (error) {
      applied.push({ repair, ok: false, error });
      break;
    }
  }
  return applied;
}

function applyRepair(repair: Repair, writer: StoreWriter): Promise<void> {
  switch (repair.kind) {
    case 'symlink':
      return writer.symlink(repair.path, repair.target);
    case 'rename':
      return writer.rename(repair.from, repair.to);
    case 'chmod':
      return writer.chmod(repair.path, repair.mode);
    case 'copy':
      return writer.copy(repair.from, repair.to);
  }
}

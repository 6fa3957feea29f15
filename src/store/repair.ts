/**
 * One step of a store repair: small data, so a plan can be listed, confirmed and applied by any writer (local
 * disk or a Docker volume). Paths are relative to the store root. No step deletes data: files that are not
 * byte-identical to something kept are renamed aside first.
 */
export type Repair =
  /** Replace whatever is at `path` by a relative symlink with this text. */
  | { kind: 'symlink'; path: string; target: string; reason: string }
  | { kind: 'rename'; from: string; to: string; reason: string }
  /** Copy bytes and mode; `to` does not exist yet. */
  | { kind: 'copy'; from: string; to: string; reason: string }
  | { kind: 'chmod'; path: string; mode: number; reason: string };

/** One line per step, for a plan shown before it is applied. */
export function describeRepair(repair: Repair): string {
  switch (repair.kind) {
    case 'symlink':
      return `link ${repair.path} -> ${repair.target}: ${repair.reason}`;
    case 'rename':
      return `move ${repair.from} to ${repair.to}: ${repair.reason}`;
    case 'copy':
      return `copy ${repair.from} to ${repair.to}: ${repair.reason}`;
    case 'chmod':
      return `chmod ${repair.mode.toString(8).padStart(4, '0')} ${repair.path}: ${repair.reason}`;
  }
}

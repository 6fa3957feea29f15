import type { CertbotContainer } from '../certbot/certbot-container.js';
import type { Logger } from '../log.js';
import { analyzeStore } from '../store/analyze-store.js';
import { deployedState } from '../store/deployed-copies.js';
import { applyRepairs } from './apply-repairs.js';
import type { StoreWriter } from './store-writer.js';
import { describeRepair, planRepairs } from '../store/plan-repairs.js';
import type { StoreSource } from './store-source.js';

export interface DoctorReport {
  problems: string[];
  /** What --fix does (or did), one line each. */
  changes: string[];
  /** Problems still there after --fix (all of them without it). */
  remaining: string[];
  fixed: boolean;
}

/**
 * `certkit doctor [--fix]`: lists what is wrong with the store and the repairs that would mend it; with a writer,
 * applies them (never deleting data), redeploys stale copies, and reads the store again to report what is left.
 */
export async function runDoctor(input: {
  source: StoreSource;
  now: Date;
  log: Logger;
  writer?: StoreWriter;
  certbot?: CertbotContainer;
}): Promise<DoctorReport> {
  const before = await input.source.readSnapshot();
  const reports = analyzeStore(before, { now: input.now });
  const problems = reports.flatMap((report) => report.problems.map((problem) => `${report.name}: ${problem}`));
  const repairs = planRepairs(before);
  const deployed = await input.source.readDeployedSerials();
  const stale = reports.filter((report) => deployedState(deployed, report.name, report.serial) === 'stale' && report.live === 'ok');
  for (const report of stale)
    problems.push(
      `${report.name}: the deployed copy is stale (serial ${deployed?.get(report.name) ?? 'unreadable'}, store has ${report.serial})`,
    );
  const changes = [...repairs.map(describeRepair), ...stale.map((report) => `redeploy ${report.name} to the folder nginx reads`)];

  if (!input.writer) return { problems, changes, remaining: problems, fixed: false };

  const applied = await applyRepairs(repairs, input.writer);
  for (const step of applied)
    input.log.info(`${step.ok ? 'done' : 'FAILED'}: ${describeRepair(step.repair)}${step.ok ? '' : ` (${(step.error as Error).message})`}`);
  if (input.certbot) {
    for (const report of stale) {
      await input.certbot.runDeployHook(report.name);
      input.log.info(`done: redeployed ${report.name}`);
    }
  }
  const after = await input.source.readSnapshot();
  const remaining = analyzeStore(after, { now: input.now }).flatMap((report) =>
    report.problems.map((problem) => `${report.name}: ${problem}`),
  );
  const deployedAfter = await input.source.readDeployedSerials();
  for (const report of analyzeStore(after, { now: input.now })) {
    if (deployedState(deployedAfter, report.name, report.serial) === 'stale')
      remaining.push(`${report.name}: the deployed copy is still stale`);
  }
  return { problems, changes, remaining, fixed: applied.every((step) => step.ok) };
}

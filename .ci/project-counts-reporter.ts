import { writeFileSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';

/**
 * Writes {project: {passed, failed, skipped}} to the file in CERTKIT_PROJECT_COUNTS when the run ends, so .ci/run can
 * print one line per e2e stack (vitest's JSON report does not say which project a file ran in). A file that failed
 * outside its tests (a hook, an import) counts as one failure, so a line never hides it.
 */
export default class ProjectCountsReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const out = process.env['CERTKIT_PROJECT_COUNTS'];
    if (!out) return;
    const counts: Record<string, { passed: number; failed: number; skipped: number }> = {};
    for (const module of testModules) {
      const entry = (counts[module.project.name] ??= { passed: 0, failed: 0, skipped: 0 });
      let failedTests = 0;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') entry.passed += 1;
        else if (state === 'failed') failedTests += 1;
        else entry.skipped += 1;
      }
      entry.failed += failedTests > 0 ? failedTests : module.state() === 'failed' ? 1 : 0;
    }
    writeFileSync(out, JSON.stringify(counts));
  }
}

// A vitest reporter that counts what vitest's own exit code counts, for the plain closing line CI
// reads ("N passed, N failed, N skipped", printed by run-tests.mjs): failed tests, and also failures
// outside any test — a file that did not load, a failing beforeAll/afterAll hook, an unhandled error
// or rejection after a test ended — each named, so a non-zero exit never hides behind "0 failed".
// It also records how long each file took (tests and hooks), so the runner can name the files that
// outgrow their tier.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export const SUMMARY_FILE = "test-artifacts/test-summary.json";

export default class SummaryReporter {
  onTestRunEnd(testModules, unhandledErrors, reason) {
    const summary = { passed: 0, failed: 0, skipped: 0, problems: [], files: [], reason };
    const name = (error) => `${error?.name ?? "Error"}: ${error?.message ?? String(error)}`;
    for (const module of testModules) {
      const file = module.relativeModuleId ?? module.moduleId;
      summary.files.push({ file, project: module.project.name, durationMs: module.diagnostic().duration });
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") summary.passed++;
        else if (state === "failed") summary.failed++;
        else summary.skipped++;
      }
      const outside = [
        ...module.errors(),
        ...[...module.children.allSuites()].flatMap((suite) => suite.errors()),
      ];
      if (outside.length > 0) {
        summary.failed++;
        summary.problems.push(`${file}: ${outside.map(name).join("; ")}`);
      }
    }
    for (const error of unhandledErrors) {
      summary.failed++;
      summary.problems.push(`unhandled error: ${name(error)}`);
    }
    mkdirSync(dirname(SUMMARY_FILE), { recursive: true });
    writeFileSync(SUMMARY_FILE, JSON.stringify(summary, null, 2));
  }
}

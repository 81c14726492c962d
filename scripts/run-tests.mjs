// `npm test` after the build: vitest over every project, then one plain summary line
// ("N passed, N failed, N skipped") that any CI log reader understands. Extra arguments go to vitest.
// Files run one at a time: the P2P and browser tests measure real WebRTC and real playback, and
// on a 2-core machine two of them at once would starve each other into timeouts.
//
// The summary and the exit code always agree: failures outside tests (a file that did not load, a
// failing hook, an unhandled error) count as failed and are named (scripts/test-summary-reporter.mjs),
// and a non-zero vitest exit with nothing counted still prints "1 failed" with the exit code.
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { SUMMARY_FILE } from "./test-summary-reporter.mjs";

rmSync(SUMMARY_FILE, { force: true });
const result = spawnSync(
  process.execPath,
  [
    "node_modules/vitest/vitest.mjs",
    "run",
    "--no-file-parallelism",
    "--reporter=default",
    "--reporter=./scripts/test-summary-reporter.mjs",
    ...process.argv.slice(2),
  ],
  { stdio: "inherit" },
);
const exitCode = result.status ?? 1;
let summary = {
  passed: 0,
  failed: 0,
  skipped: 0,
  problems: ["vitest wrote no summary: see the output above"],
};
try {
  summary = JSON.parse(readFileSync(SUMMARY_FILE, "utf8"));
} catch {
  // keep the placeholder: the run ended before the reporter could write
}
if (exitCode !== 0 && summary.failed === 0) {
  summary.failed = 1;
  summary.problems.push(
    `vitest exited with code ${exitCode}${result.signal ? ` (signal ${result.signal})` : ""} although no test failed`,
  );
}
if (summary.passedOnRetry?.length > 0) {
  console.log("\nPassed only on retry (timing-sensitive; each with its first try's error):");
  for (const name of summary.passedOnRetry) console.log(`  - ${name}`);
}
if (summary.problems.length > 0) {
  console.log("\nFailures outside tests:");
  for (const problem of summary.problems) console.log(`  - ${problem}`);
}
console.log(`${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`);
process.exit(summary.failed > 0 ? Math.max(exitCode, 1) : exitCode);

// `npm test` after the build: vitest over every project, then one plain summary line
// ("N passed, N failed, N skipped") that any CI log reader understands. Extra arguments go to vitest.
// Files run one at a time: the P2P and browser tests measure real WebRTC and real playback, and
// on a 2-core machine two of them at once would starve each other into timeouts.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";

mkdirSync("test-artifacts", { recursive: true });
const report = "test-artifacts/vitest-report.json";
const result = spawnSync(
  process.execPath,
  [
    "node_modules/vitest/vitest.mjs",
    "run",
    "--no-file-parallelism",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  { stdio: "inherit" },
);
try {
  const summary = JSON.parse(readFileSync(report, "utf8"));
  console.log(
    `${summary.numPassedTests} passed, ${summary.numFailedTests} failed, ${summary.numPendingTests + summary.numTodoTests} skipped`,
  );
} catch {
  console.log("vitest wrote no report: see the output above");
}
process.exit(result.status ?? 1);

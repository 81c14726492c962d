// The test tiers (README "Development"):
//   node scripts/run-tests.mjs fast   `npm test`: build, then typecheck and lint side by side, then the
//                                     unit, integration and browser projects (*.test.ts)
//   node scripts/run-tests.mjs slow   `npm run test:slow`: build, then integration-slow and
//                                     browser-slow (*.slow.test.ts)
// Extra arguments go to vitest (e.g. a file filter). The run ends with one plain line any CI log
// reader understands ("N passed, N failed, N skipped"), after the slowest files and each step's time.
//
// The summary and the exit code always agree: failures outside tests (a file that did not load, a
// failing hook, an unhandled error) count as failed and are named (scripts/test-summary-reporter.mjs),
// and a non-zero vitest exit with nothing counted still prints "1 failed" with the exit code.
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { SUMMARY_FILE } from "./test-summary-reporter.mjs";

const TIERS = {
  fast: {
    projects: ["unit", "integration", "browser"],
    checks: true,
    budgetSec: 600,
    /** A file over this is a candidate for the slow tier (`.slow.test.ts`) or for trimming. */
    fileBudgetSec: { unit: 5, integration: 30, browser: 90 },
  },
  slow: {
    projects: ["integration-slow", "browser-slow"],
    checks: false,
    budgetSec: 1200,
    fileBudgetSec: {},
  },
};

const [tierName = "fast", ...vitestArgs] = process.argv.slice(2);
const tier = TIERS[tierName];
if (!tier) {
  console.error(`usage: node scripts/run-tests.mjs fast|slow [vitest arguments…]`);
  process.exit(2);
}

const startedMs = Date.now();
const steps = [];

/** Runs a command; with `quiet`, its output is kept and printed only if it fails. */
function run(label, command, args, { quiet = false } = {}) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: quiet ? ["ignore", "pipe", "pipe"] : "inherit" });
    let output = "";
    child.stdout?.on("data", (chunk) => (output += chunk));
    child.stderr?.on("data", (chunk) => (output += chunk));
    child.on("close", (code, signal) => {
      const seconds = (Date.now() - started) / 1000;
      steps.push(`${label} ${seconds.toFixed(0)} s`);
      if (quiet && code !== 0) process.stdout.write(`\n==> ${label} failed:\n${output}\n`);
      resolve({ code: code ?? 1, signal });
    });
  });
}

function finish(exitCode, line) {
  const totalSec = (Date.now() - startedMs) / 1000;
  console.log(
    `\n${tierName} tier: ${steps.join(", ")}; ${formatDuration(totalSec)} in all (budget ${formatDuration(tier.budgetSec)})`,
  );
  console.log(line);
  process.exit(exitCode);
}

function formatDuration(seconds) {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - m * 60);
  return m > 0 ? `${m} min ${String(s).padStart(2, "0")} s` : `${s} s`;
}

const build = await run("build", process.execPath, ["scripts/build.mjs"], { quiet: true });
if (build.code !== 0) finish(1, "0 passed, 1 failed, 0 skipped (the build failed)");
if (tier.checks) {
  console.log("==> typecheck and lint");
  const [typecheck, lint] = await Promise.all([
    run(
      "typecheck",
      process.execPath,
      ["node_modules/typescript/bin/tsc", "-p", "tsconfig.json", "--noEmit"],
      {
        quiet: true,
      },
    ),
    run("lint", "npm", ["run", "--silent", "lint"], { quiet: true }),
  ]);
  const failed = [typecheck.code !== 0 && "typecheck", lint.code !== 0 && "lint"].filter(Boolean);
  if (failed.length > 0) finish(1, `0 passed, ${failed.length} failed, 0 skipped (${failed.join(" and ")})`);
}

rmSync(SUMMARY_FILE, { force: true });
const tests = await run("tests", process.execPath, [
  "node_modules/vitest/vitest.mjs",
  "run",
  ...tier.projects.flatMap((project) => ["--project", project]),
  "--reporter=default",
  "--reporter=./scripts/test-summary-reporter.mjs",
  ...vitestArgs,
]);
let summary = {
  passed: 0,
  failed: 0,
  skipped: 0,
  problems: ["vitest wrote no summary: see the output above"],
  files: [],
};
try {
  summary = JSON.parse(readFileSync(SUMMARY_FILE, "utf8"));
} catch {
  // keep the placeholder: the run ended before the reporter could write
}
if (tests.code !== 0 && summary.failed === 0) {
  summary.failed = 1;
  summary.problems.push(
    `vitest exited with code ${tests.code}${tests.signal ? ` (signal ${tests.signal})` : ""} although no test failed`,
  );
}

const slowest = [...summary.files].sort((a, b) => b.durationMs - a.durationMs).slice(0, 8);
if (slowest.length > 0) {
  console.log("\nSlowest files (tests and hooks):");
  for (const { file, project, durationMs } of slowest) {
    const budget = tier.fileBudgetSec[project];
    const over = budget !== undefined && durationMs / 1000 > budget;
    console.log(
      `  ${(durationMs / 1000).toFixed(1).padStart(6)} s  ${file}${over ? `  (over the ${budget} s a ${project} file may take in this tier: trim it or make it .slow.test.ts)` : ""}`,
    );
  }
}
if (summary.problems.length > 0) {
  console.log("\nFailures outside tests:");
  for (const problem of summary.problems) console.log(`  - ${problem}`);
}
finish(
  summary.failed > 0 ? Math.max(tests.code, 1) : tests.code,
  `${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`,
);

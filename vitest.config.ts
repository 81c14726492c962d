import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Two tiers, told apart by file name (README "Development" says which command runs which):
//   fast  `npm test`           test/unit, test/integration, test/browser — *.test.ts
//   slow  `npm run test:slow`  test/integration, test/browser — *.slow.test.ts
// Projects run one after the other (groupOrder): unit files in parallel, then integration, then
// browser, each with the workers its files can share 2 cores with. No project retries a failing
// test: a test that fails intermittently has a bug behind it (issue 20).
// `nearcast` is the SDK workspace package; tests run its TypeScript source, not a stale build
// (`extends: true` gives every project the root's alias, so server code importing `nearcast` sees
// the source too, not `sdk/dist`).
const SLOW = "**/*.slow.test.ts";
/** Workers for files that run real WebRTC and real Chromium; `NEARCAST_TEST_WORKERS` overrides. */
const heavyWorkers = Number(process.env.NEARCAST_TEST_WORKERS ?? 2);

export default defineConfig({
  resolve: { alias: { nearcast: fileURLToPath(new URL("./sdk/src/index.ts", import.meta.url)) } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          testTimeout: 10_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          exclude: [SLOW],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          maxWorkers: heavyWorkers,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          exclude: [SLOW],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          maxWorkers: heavyWorkers,
          sequence: { groupOrder: 2 },
        },
      },
      {
        extends: true,
        test: {
          name: "integration-slow",
          include: [`test/integration/${SLOW}`],
          testTimeout: 300_000,
          hookTimeout: 600_000,
          maxWorkers: heavyWorkers,
          sequence: { groupOrder: 3 },
        },
      },
      {
        extends: true,
        test: {
          name: "browser-slow",
          include: [`test/browser/${SLOW}`],
          testTimeout: 300_000,
          hookTimeout: 600_000,
          maxWorkers: heavyWorkers,
          sequence: { groupOrder: 4 },
        },
      },
    ],
  },
});

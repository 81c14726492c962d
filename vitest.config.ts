import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Three projects so a developer can run the fast ones alone (`npx vitest --project unit`).
// Browser tests drive real Chromium and share 2 cores with the server: run them one file at a time.
// `nearcast` is the SDK workspace package; tests run its TypeScript source, not a stale build.
export default defineConfig({
  resolve: { alias: { nearcast: fileURLToPath(new URL("./sdk/src/index.ts", import.meta.url)) } },
  test: {
    projects: [
      { test: { name: "unit", include: ["test/unit/**/*.test.ts"], testTimeout: 10_000 } },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Real WebRTC (node-datachannel), network namespaces and Redis: same rule as the browser
          // project below — one more run for a failure, and `npm test` names what needed it.
          retry: 1,
        },
      },
      {
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          testTimeout: 240_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          // Real Chromium playing real media over real WebRTC on a noisy 2-core machine: a test that
          // fails is run once more, and one that passes only then is named in `npm test`'s summary
          // ("passed on retry") so timing-sensitive tests stay visible instead of blocking CI.
          retry: 1,
        },
      },
    ],
  },
});

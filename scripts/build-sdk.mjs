// Builds the SDK (ES module + script-tag bundle + type declarations), the demo player page and the
// stats dashboard page, and prints bundle sizes. Fails if the script-tag bundle outgrows its gzip budget.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
/** Gzip budget for the script-tag bundle: a player page should not pay more than this for P2P. */
const BUDGET_GZIP_BYTES = 48 * 1024;

const sdkDist = join(root, "sdk/dist");
const playerDist = join(root, "demo-player/dist");
const dashboardDist = join(root, "demo-server/dashboard/dist");
rmSync(sdkDist, { recursive: true, force: true });
rmSync(playerDist, { recursive: true, force: true });
rmSync(dashboardDist, { recursive: true, force: true });

const common = {
  bundle: true,
  platform: "browser",
  target: "es2020",
  sourcemap: true,
  logLevel: "warning",
  define: { __NEARCAST_VERSION__: JSON.stringify(version) },
};

await Promise.all([
  build({
    ...common,
    entryPoints: [join(root, "sdk/src/index.ts")],
    format: "esm",
    outfile: join(sdkDist, "nearcast.esm.js"),
  }),
  build({
    ...common,
    entryPoints: [join(root, "sdk/src/index.ts")],
    format: "iife",
    globalName: "Nearcast",
    minify: true,
    outfile: join(sdkDist, "nearcast.min.js"),
  }),
  build({
    ...common,
    entryPoints: [join(root, "demo-player/src/main.ts")],
    format: "iife",
    outfile: join(playerDist, "player.js"),
    // The page loads the SDK and hls.js from their own script tags, as an embedding page would.
    external: ["hls.js"],
  }),
  build({
    ...common,
    // The dashboard page: uPlot and its stylesheet bundled in (dashboard.js + dashboard.css).
    entryPoints: { dashboard: join(root, "demo-server/dashboard/src/main.ts") },
    format: "iife",
    minify: true,
    outdir: dashboardDist,
  }),
]);

execFileSync(
  process.execPath,
  [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "sdk/tsconfig.build.json")],
  {
    stdio: "inherit",
  },
);

mkdirSync(join(playerDist, "vendor"), { recursive: true });
copyFileSync(join(root, "node_modules/hls.js/dist/hls.min.js"), join(playerDist, "vendor/hls.min.js"));
copyFileSync(join(root, "node_modules/uplot/dist/uPlot.min.css"), join(playerDist, "vendor/uPlot.min.css"));

const report = (file) => {
  const bytes = readFileSync(file);
  const gz = gzipSync(bytes).length;
  console.log(
    `  ${file.slice(root.length + 1).padEnd(42)} ${(statSync(file).size / 1024).toFixed(1).padStart(7)} KiB  ${(gz / 1024).toFixed(1).padStart(6)} KiB gzip`,
  );
  return gz;
};
console.log(`nearcast ${version} built:`);
report(join(sdkDist, "nearcast.esm.js"));
const iifeGzip = report(join(sdkDist, "nearcast.min.js"));
report(join(playerDist, "player.js"));
report(join(dashboardDist, "dashboard.js"));
if (iifeGzip > BUDGET_GZIP_BYTES) {
  console.error(
    `error: sdk/dist/nearcast.min.js is ${iifeGzip} bytes gzipped, over the ${BUDGET_GZIP_BYTES}-byte budget`,
  );
  process.exit(1);
}

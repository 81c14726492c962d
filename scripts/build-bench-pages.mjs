// Bundles the browser bench's pages (bench/pages/src/<client>.ts → bench/pages/dist/<client>.js):
// hls.js plus one client each — none, Nearcast (from the SDK sources; its `-unverified` variant is
// the same code given `allowUnverifiedPeers`), p2p-media-loader — so the clients run the same page
// shell with the same hls.js build.
import { build } from "esbuild";
import { readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const pages = join(root, "bench/pages");
const dist = join(pages, "dist");
const clients = ["http", "nearcast", "nearcast-unverified", "p2pml"];

rmSync(dist, { recursive: true, force: true });
await build({
  entryPoints: clients.map((client) => join(pages, "src", `${client}.ts`)),
  outdir: dist,
  bundle: true,
  platform: "browser",
  format: "iife",
  target: "es2020",
  sourcemap: true,
  minify: true,
  logLevel: "warning",
  // p2p-media-loader-core ships a self-contained browser bundle (bittorrent-tracker's client and its
  // Node polyfills included) behind this export condition; its plain entry needs a Node-polyfilling bundler.
  conditions: ["p2pml:core-as-bundle"],
  define: { __NEARCAST_VERSION__: JSON.stringify(version) },
  // Generated code: linters have nothing to say about it (it is also git-ignored).
  banner: { js: "/* eslint-disable */" },
});
console.log(`bench pages built: ${clients.map((client) => `bench/pages/dist/${client}.js`).join(", ")}`);

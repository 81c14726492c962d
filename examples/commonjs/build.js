// Bundles src/main.js (CommonJS `require`) for the browser with esbuild, next to index.html in dist/.
const { buildSync } = require("esbuild");
const fs = require("node:fs");

fs.mkdirSync("dist", { recursive: true });
buildSync({ entryPoints: ["src/main.js"], bundle: true, platform: "browser", outfile: "dist/main.js" });
fs.copyFileSync("index.html", "dist/index.html");
console.log("dist/ written");

// What segment verification costs (issue 8), measured in one run:
//   1. hashing time per MB: Node's WebCrypto (node:crypto), the @noble/hashes fallback, and Chromium's
//      crypto.subtle, over the demo stream's real segment files;
//   2. offload at the origin and start-up of a Chromium audience on the live stream with the origin's
//      digests published vs not (same build, same machine, phases interleaved).
// Usage: npx tsx bench/integrity-cost.ts [--viewers 4] [--watch-ms 30000] [--rounds 1]
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { DEFAULT_MEDIA_DIR } from "../demo-server/src/config.js";
import { startServer } from "../demo-server/src/server.js";
import { sha256Hex } from "../sdk/src/core/integrity.js";
import { runAudience } from "../test/browser/support/audience.js";
import { closeBrowser, launchBrowser } from "../test/browser/support/chromium.js";

const { values } = parseArgs({
  options: {
    viewers: { type: "string", default: "4" },
    "watch-ms": { type: "string", default: "30000" },
    rounds: { type: "string", default: "1" },
  },
});
const VIEWERS = Number(values.viewers);
const WATCH_MS = Number(values["watch-ms"]);
const ROUNDS = Number(values.rounds);

function mediaFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return mediaFiles(full);
    return /\.(ts|m4s|mp4)$/.test(name) ? [full] : [];
  });
}

async function timePerMb(
  label: string,
  files: Uint8Array[],
  hash: (data: Uint8Array) => unknown,
): Promise<string> {
  const bytes = files.reduce((sum, f) => sum + f.byteLength, 0);
  for (const f of files.slice(0, 3)) await hash(f); // warm-up
  const started = performance.now();
  for (const f of files) await hash(f);
  const ms = performance.now() - started;
  const mb = bytes / 1e6;
  return `| ${label} | ${files.length} | ${mb.toFixed(1)} | ${(ms / mb).toFixed(2)} | ${(mb / (ms / 1000)).toFixed(0)} |`;
}

const files = mediaFiles(DEFAULT_MEDIA_DIR).map((f) => new Uint8Array(readFileSync(f)));
console.log("## Hashing cost (SHA-256 of every demo segment file, one pass)\n");
console.log("| implementation | files | MB | ms per MB | MB/s |");
console.log("| --- | --- | --- | --- | --- |");
console.log(await timePerMb("Node WebCrypto (node:crypto)", files, sha256Hex));
console.log(await timePerMb("@noble/hashes (fallback without WebCrypto)", files, (d) => nobleSha256(d)));

const browser = await launchBrowser();
try {
  const server = await startServer({ host: "127.0.0.1", port: 0 });
  const page = await (await browser.createBrowserContext()).newPage();
  await page.goto(`${server.url}/vendor/hls.min.js`);
  const sizes = files.map((f) => f.byteLength);
  // Same sizes as the real files (content does not change SHA-256's speed).
  const inPage = (await page.evaluate(`(async () => {
    const sizes = ${JSON.stringify(sizes)};
    const buffers = sizes.map((n) => new Uint8Array(n).fill(7));
    for (const b of buffers.slice(0, 3)) await crypto.subtle.digest("SHA-256", b);
    const t0 = performance.now();
    for (const b of buffers) await crypto.subtle.digest("SHA-256", b);
    return { ms: performance.now() - t0, bytes: sizes.reduce((a, b) => a + b, 0) };
  })()`)) as { ms: number; bytes: number };
  const mb = inPage.bytes / 1e6;
  console.log(
    `| Chromium crypto.subtle (in a page) | ${sizes.length} | ${mb.toFixed(1)} | ${(inPage.ms / mb).toFixed(2)} | ${(mb / (inPage.ms / 1000)).toFixed(0)} |`,
  );
  await server.close();

  console.log(
    `\n## Live stream, ${VIEWERS} Chromium viewers × ${WATCH_MS / 1000} s: digests published vs not\n`,
  );
  console.log(
    "| round | digests | origin offload | ceiling | median start-up ms | stalls | integrity failures |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 === 1 ? [true, false] : [false, true];
    for (const publishDigests of order) {
      const phaseServer = await startServer({ host: "127.0.0.1", port: 0, publishDigests });
      try {
        const result = await runAudience({
          server: phaseServer,
          browser,
          viewers: VIEWERS,
          path: "/?stream=live",
          watchMs: WATCH_MS,
          staggerMs: 2000,
          name: publishDigests ? "digests" : "none",
        });
        const startup = [...result.startupMs].sort((a, b) => a - b)[Math.floor(result.startupMs.length / 2)];
        const stalls = result.reports.reduce((sum, r) => sum + r.stalls, 0);
        const failures = result.reports.reduce((sum, r) => sum + (r.finalStats?.integrityFailures ?? 0), 0);
        console.log(
          `| ${round} | ${publishDigests ? "on" : "off"} | ${result.originOffload.toFixed(3)} | ${(1 - 1 / VIEWERS).toFixed(3)} | ${startup} | ${stalls} | ${failures} |`,
        );
      } finally {
        await phaseServer.close();
      }
    }
  }
} finally {
  await closeBrowser(browser);
}

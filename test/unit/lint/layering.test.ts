// The layering rules of eslint.config.js, run through ESLint's API on one-line fixtures placed (by
// file path only; nothing is written) in each layer: every banned arrow is reported, every allowed
// one is not, so a rule that silently stopped matching fails here rather than in review.
import { ESLint } from "eslint";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: repoRoot });
});

/** The layering errors ESLint reports for `source` imported from a file at `filePath`. */
async function layeringErrors(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import "${source}";\n`, { filePath });
  return result!.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

/** `source` imported from `filePath` breaks exactly one layering rule. */
async function expectBanned(filePath: string, source: string): Promise<void> {
  const errors = await layeringErrors(filePath, source);
  expect(errors).toHaveLength(1);
  expect(errors[0]).toContain("layers: eslint.config.js");
}

/** `source` imported from `filePath` breaks no layering rule. */
async function expectAllowed(filePath: string, source: string): Promise<void> {
  expect(await layeringErrors(filePath, source)).toEqual([]);
}

/** The folders directly under `root` (relative to the repository). */
function foldersOf(root: string): string[] {
  return readdirSync(join(repoRoot, root), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
}

// A folder missing from eslint.config.js's tables has no rule at all: a new one must be placed in a
// layer, so every folder is asked to import its package's entry file, which no layer may.
describe("every folder has a layer", () => {
  it.each(foldersOf("sdk/src/"))("sdk/src/%s", async (folder) => {
    expect(await layeringErrors(`sdk/src/${folder}/fixture.ts`, "../index.js")).toHaveLength(1);
  });
  it.each(foldersOf("demo-server/src/"))("demo-server/src/%s", async (folder) => {
    expect(await layeringErrors(`demo-server/src/${folder}/fixture.ts`, "../main.js")).toHaveLength(1);
  });
});

describe("SDK layers: adapters → engine → p2p, http → core", () => {
  it.each([
    ["sdk/src/core/fixture.ts", "../p2p/peer.js", "core imports no transport"],
    ["sdk/src/core/fixture.ts", "../engine/engine.js", "core imports nothing above it"],
    ["sdk/src/core/policy/fixture.ts", "../../engine/engine.js", "a core subfolder is held to core's rules"],
    ["sdk/src/core/fixture.ts", "hls.js", "only the hls.js adapter imports hls.js"],
    ["sdk/src/core/fixture.ts", "../index.js", "nothing imports the entry point"],
    ["sdk/src/core/fixture.ts", "../../../demo-server/src/config.js", "nothing reaches outside sdk/src"],
    ["sdk/src/p2p/fixture.ts", "../http/http-fetcher.js", "p2p and http do not import each other"],
    ["sdk/src/http/fixture.ts", "../p2p/ids.js", "http and p2p do not import each other"],
    ["sdk/src/p2p/fixture.ts", "../engine/engine.js", "p2p imports nothing above it"],
    ["sdk/src/engine/fixture.ts", "../hlsjs/fragment-loader.js", "engine imports no adapter"],
    ["sdk/src/engine/fixture.ts", "node:fs", "the SDK imports no Node built-in"],
    ["sdk/src/hlsjs/fixture.ts", "../p2p/ids.js", "adapters reach transports only through the engine"],
    ["sdk/src/shaka/fixture.ts", "../hlsjs/hls-integration.js", "adapters do not import each other"],
    ["sdk/src/shaka/fixture.ts", "hls.js", "the Shaka adapter does not import hls.js"],
  ])("%s ✗ %s (%s)", expectBanned);

  it.each([
    ["sdk/src/core/policy/fixture.ts", "../types.js"],
    ["sdk/src/p2p/fixture.ts", "../core/errors.js"],
    ["sdk/src/http/fixture.ts", "../core/policy/decide.js"],
    ["sdk/src/engine/fixture.ts", "../p2p/ids.js"],
    ["sdk/src/engine/fixture.ts", "../http/http-fetcher.js"],
    ["sdk/src/hlsjs/fixture.ts", "../engine/engine.js"],
    ["sdk/src/hlsjs/fixture.ts", "hls.js"],
    ["sdk/src/shaka/fixture.ts", "../core/types.js"],
    ["sdk/src/index.ts", "./hlsjs/hls-integration.js"],
  ])("%s ✓ %s", expectAllowed);
});

describe("server layers: main → cli → server, config → services → net", () => {
  it.each([
    ["demo-server/src/net/fixture.ts", "../tracker/swarm.js", "net imports no service"],
    ["demo-server/src/digests/fixture.ts", "../cli/values.js", "a service imports no CLI code"],
    ["demo-server/src/tracker/fixture.ts", "../stats/metrics.js", "the tracker does not import stats"],
    ["demo-server/src/origin/fixture.ts", "../config.js", "a service gets its options passed in"],
    ["demo-server/src/config.ts", "./cli/values.js", "the server's options do not import the CLI"],
    ["demo-server/src/server.ts", "./main.js", "nothing imports the bin"],
    ["demo-server/src/stats/fixture.ts", "../../../sdk/src/index.js", "the SDK is imported as `nearcast`"],
  ])("%s ✗ %s (%s)", expectBanned);

  it.each([
    ["demo-server/src/stats/fixture.ts", "../tracker/stats.js"],
    ["demo-server/src/digests/fixture.ts", "../origin/playlist-parser.js"],
    ["demo-server/src/cli/fixture.ts", "../digests/digest-options.js"],
    ["demo-server/src/server.ts", "./tracker/index.js"],
    ["demo-server/src/main.ts", "./cli/parse-args.js"],
  ])("%s ✓ %s", expectAllowed);
});

// Issue 24: a refused viewer is told why, and the operator too. The operator guide's token steps run
// as written (docs/production.md "Tracker access control"): the secret in a file named by
// NEARCAST_TRACKER_TOKEN_SECRET_FILE, `nearcast-server` with that environment, its banner saying
// tokens are required, `nearcast-server token --stream <manifest URL> --ttl …` with the same
// environment. Then SDK engines (real WebSocket, the server's real tracker): one with the minted token
// connects; one without is refused with the reason `token_missing`, stops retrying, and the server
// logs the refusal once at info level with what to do about it.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../../demo-server/src/config.js";
import { mintJoinToken } from "../../../demo-server/src/net/join-token.js";
import type { Engine } from "../../../sdk/src/engine/engine.js";
import type { NearcastEvents } from "../../../sdk/src/core/events.js";
import { createNodeEngine } from "../../support/node-engines.js";
import { sleep, waitFor } from "../../support/wait-for.js";
import { refusalOf } from "./helpers.js";

const TSX = path.join(REPO_ROOT, "node_modules", ".bin", "tsx");
const MAIN = path.join(REPO_ROOT, "demo-server", "src", "main.ts");
const STREAM = "https://cdn.example.com/live/master.m3u8";
const SWARM_KEY = `${STREAM}|v800000-640x360-avc1`;
const SECRET = "refusal-test-secret-0123456789abcdef";
/** Starting the CLI through tsx takes a few seconds on a busy 2-core machine. */
const START_TIMEOUT_MS = 30_000;

type TrackerStateEvent = NearcastEvents["tracker-state"];

let dir: string;
let env: NodeJS.ProcessEnv;
let server: { child: ChildProcess; stdout: () => string; stderr: () => string } | undefined;
let port = 0;
const engines: Engine[] = [];

beforeAll(async () => {
  // Step 1 of the guide: the secret in a file, named by the server's environment.
  dir = mkdtempSync(path.join(os.tmpdir(), "nearcast-refusal-"));
  writeFileSync(path.join(dir, "token-secret"), `${SECRET}\n`, { mode: 0o600 });
  env = { ...process.env, PORT: "", NEARCAST_TRACKER_TOKEN_SECRET_FILE: path.join(dir, "token-secret") };
  delete env["NEARCAST_TRACKER_TOKEN_SECRET"];
  // Step 2: the server, with the guide's production flags.
  const child = spawn(TSX, [MAIN, "--no-origin", "--host", "127.0.0.1", "--port", "0"], { cwd: dir, env });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  server = { child, stdout: () => stdout, stderr: () => stderr };
  port = await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}: ${stderr}`);
      const match = /listening on 127\.0\.0\.1:(\d+)[\s\S]*access/.exec(stdout);
      return match === null ? undefined : Number(match[1]);
    },
    START_TIMEOUT_MS,
    "the server's banner",
    { intervalMs: 50, describeLast: () => `stdout ${stdout}; stderr ${stderr}` },
  );
}, START_TIMEOUT_MS + 5_000);

afterAll(async () => {
  for (const engine of engines) engine.destroy();
  if (server !== undefined && server.child.exitCode === null) {
    const exited = new Promise((resolve) => server!.child.once("close", resolve));
    server.child.kill("SIGTERM");
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

const trackerUrl = (token?: string) =>
  `ws://127.0.0.1:${port}/tracker${token === undefined ? "" : `?token=${encodeURIComponent(token)}`}`;

/** `nearcast-server token …` as the guide runs it, with the server's environment. */
function mintWithCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(TSX, [MAIN, "token", ...args], { cwd: dir, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** An engine in the stream's swarm, recording its tracker-state events. */
function viewer(url: string): { engine: Engine; states: TrackerStateEvent[] } {
  const engine = createNodeEngine({ trackerUrls: [url] });
  engines.push(engine);
  const states: TrackerStateEvent[] = [];
  engine.on("tracker-state", (event) => states.push(event));
  engine.prepareSwarm(SWARM_KEY);
  return { engine, states };
}

/** The server's JSON log lines (pino, stderr) at info level or above that mention `text`. */
function logLines(text: string): { level: number; msg: string }[] {
  return server!
    .stderr()
    .split("\n")
    .filter((line) => line.includes(text))
    .map((line) => JSON.parse(line) as { level: number; msg: string });
}

describe("tracker refusals explain themselves (operator guide with join tokens)", () => {
  it("the banner says join tokens are required", () => {
    expect(server!.stdout()).toMatch(/access\s+join tokens required/);
  });

  it("a token minted by `nearcast-server token` with the server's environment is accepted", async () => {
    const minted = await mintWithCli(["--stream", STREAM, "--ttl", "600"]);
    expect(minted, minted.stderr).toMatchObject({ code: 0 });
    const { states } = viewer(trackerUrl(minted.stdout.trim()));
    await waitFor(
      () => states.find((s) => s.state === "connected"),
      10_000,
      "the viewer with a token connects",
      {
        describeLast: () => JSON.stringify(states),
      },
    );
    expect(states.filter((s) => s.state === "refused")).toEqual([]);
  });

  it("a viewer without a token is refused with the reason, once, and the operator reads why", async () => {
    const { states } = viewer(trackerUrl());
    const refused = await waitFor(
      () => states.find((s) => s.state === "refused"),
      10_000,
      "tracker-state refused",
      { describeLast: () => JSON.stringify(states) },
    );
    expect(refused).toEqual({ url: trackerUrl(), state: "refused", reason: "token_missing" });
    // No hammering: the SDK backed off 1 s, 2 s, 4 s… after each close before (six tries in 35 s).
    // 4 s covers the first two of those retries, and nothing else may connect meanwhile.
    await sleep(4_000);
    // (The socket opens before the tracker's close frame arrives: a `connected` may come first.)
    console.log(`[refusal] tracker-state events: ${JSON.stringify(states.map((s) => s.state))}`);
    expect(states.filter((s) => s.state !== "connected")).toEqual([refused]);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/nearcast_tracker_connections_rejected_total\{reason="token_missing"\} 1\n/);
    // The operator's log: one info line (pino level 30) naming the reason and the fix.
    const lines = logLines("token_missing");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 30, msg: expect.stringMatching(/\?token=/) as unknown });
  });

  it("expired and forged tokens are told apart from a missing one; repeated refusals log no more lines", async () => {
    const expiredToken = mintJoinToken({
      secret: SECRET,
      streams: [STREAM],
      ttlSec: 60,
      nowMs: Date.now() - 61_000,
    });
    for (const [token, reason] of [
      [expiredToken, "token_expired"],
      ["nc1.forged.token", "token_invalid"],
    ] as const) {
      const { states } = viewer(trackerUrl(token));
      await waitFor(
        () => states.find((s) => s.state === "refused"),
        10_000,
        `tracker-state refused (${reason})`,
      );
      expect(states.at(-1)).toMatchObject({ state: "refused", reason });
    }
    for (let i = 0; i < 5; i++) expect(await refusalOf(trackerUrl())).toBe("4401 token_missing");
    // Within the minute after the first, the five refusals are counted, not logged.
    expect(logLines("token_missing")).toHaveLength(1);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/nearcast_tracker_connections_rejected_total\{reason="token_missing"\} 6\n/);
  });
});

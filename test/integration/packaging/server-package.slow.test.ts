// The operator's package: `npm pack` of demo-server/ (and of sdk/, which it depends on), installed
// from the tarballs into an empty folder, started through its `nearcast-server` bin with plain node.
// It must serve the tracker, the stats API, /metrics, the dashboard and the demo player. The package does
// not ship the demo media (issue 24): without --media-dir the demo origin is off and the banner and log
// say so; with --media-dir it serves that folder; `--no-origin` switches the origin off.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { WebSocket } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binaryId } from "../tracker/helpers.js";
import { waitFor } from "../../support/wait-for.js";
import { consumerEnv, packSdk, run, tail } from "../../browser/support/consumer-apps.js";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const INSTALL_TIMEOUT_MS = 240_000;

let workDir: string | undefined;
let appDir = "";
const children: ChildProcess[] = [];

beforeAll(async () => {
  for (const built of [
    "sdk/dist/nearcast.esm.js",
    "demo-server/dist/main.js",
    "demo-server/public/index.html",
  ]) {
    if (!existsSync(path.join(REPO_ROOT, built)))
      throw new Error(`Missing ${built}: run \`npm run build\` first`);
  }
  workDir = await mkdtemp(path.join(os.tmpdir(), "nearcast-server-package-"));
  const sdkTarball = await packSdk(REPO_ROOT, workDir);
  const pack = await run(
    "npm",
    ["pack", "--ignore-scripts", "--json", "--pack-destination", workDir],
    path.join(REPO_ROOT, "demo-server"),
    120_000,
  );
  if (pack.code !== 0) throw new Error(`npm pack in demo-server/ failed:\n${pack.output}`);
  const [{ filename } = { filename: "" }] = JSON.parse(pack.output.slice(pack.output.indexOf("["))) as {
    filename: string;
  }[];
  appDir = path.join(workDir, "operator");
  await run("mkdir", ["-p", appDir], workDir, 5_000);
  writeFileSync(path.join(appDir, "package.json"), JSON.stringify({ name: "operator", private: true }));
  const install = await run(
    "npm",
    ["install", "--no-audit", "--no-fund", sdkTarball, path.join(workDir, filename)],
    appDir,
    INSTALL_TIMEOUT_MS,
  );
  if (install.code !== 0) throw new Error(`npm install of the tarballs failed:\n${tail(install.output)}`);
}, INSTALL_TIMEOUT_MS + 60_000);

afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true, maxRetries: 3 });
});

interface Started {
  child: ChildProcess;
  base: string;
  banner: string;
}

/** Runs the installed bin with plain node (no tsx anywhere) and waits for its banner. */
async function startBin(args: string[]): Promise<Started> {
  const bin = path.join(appDir, "node_modules/.bin/nearcast-server");
  const child = spawn(process.execPath, [bin, "--port", "0", "--host", "127.0.0.1", ...args], {
    cwd: appDir,
    env: { ...consumerEnv(), LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return waitForBanner(child, "127.0.0.1");
}

async function waitForBanner(child: ChildProcess, host: string): Promise<Started> {
  children.push(child);
  let out = "";
  child.stdout?.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const match = await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`nearcast-server exited with ${child.exitCode}:\n${out}`);
      return (out.includes("dashboard") && /listening on (\S+):(\d+)/.exec(out)) || undefined;
    },
    30_000,
    "nearcast-server's banner",
    { intervalMs: 100, describeLast: () => `printed:\n${out}` },
  );
  expect(match[1]).toBe(host);
  return { child, base: `http://127.0.0.1:${match[2]}`, banner: out };
}

/**
 * The systemd example's ExecStart and Environment= lines, run as systemd would (minus the user and
 * sandbox), with its /opt/nearcast install folder mapped to ours and PORT=0 for a free port.
 */
async function startFromUnit(): Promise<Started> {
  const unit = readFileSync(path.join(REPO_ROOT, "docs/systemd/nearcast-server.service"), "utf8");
  const env: Record<string, string> = {};
  for (const [, name = "", value = ""] of unit.matchAll(/^Environment=([A-Z_]+)=(.*)$/gm)) env[name] = value;
  const execStart = /^ExecStart=(.*)$/m.exec(unit)?.[1]?.trim().split(/\s+/) ?? [];
  const [node, ...args] = execStart;
  expect(node).toBe("/usr/bin/node");
  const mapped = args.map((arg) => arg.replace("/opt/nearcast", appDir));
  const child = spawn(process.execPath, mapped, {
    cwd: appDir,
    env: { ...consumerEnv(), ...env, PORT: "0", LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return waitForBanner(child, env["NEARCAST_HOST"] ?? "");
}

async function stop({ child }: Started): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.kill("SIGTERM");
  return exited;
}

/** An announce over the tracker WebSocket, answered with the swarm's interval. */
async function announce(base: string): Promise<Record<string, unknown>> {
  const socket = new WebSocket(`${base.replace(/^http/, "ws")}/tracker`);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    const reply = new Promise<Record<string, unknown>>((resolve) =>
      socket.once("message", (data: Buffer) =>
        resolve(JSON.parse(data.toString()) as Record<string, unknown>),
      ),
    );
    socket.send(
      JSON.stringify({
        action: "announce",
        info_hash: binaryId(),
        peer_id: binaryId(),
        numwant: 0,
        offers: [],
        event: "started",
      }),
    );
    return await reply;
  } finally {
    socket.close();
  }
}

describe("nearcast-server installed from its npm tarball", () => {
  it("starts without the demo media it does not ship: origin off, said in banner and log; the rest serves", async () => {
    const server = await startBin([]);
    try {
      expect(existsSync(path.join(appDir, "node_modules/nearcast-server/media"))).toBe(false);
      // The banner row and the pino warning (stderr, LOG_LEVEL=warn), not a crash or silent 404s.
      expect(server.banner).toMatch(/demo media\s+not installed: the demo origin is off/);
      expect(server.banner).toMatch(/demo origin\s+off \(demo media not installed\)/);
      expect(server.banner).toContain(
        '"msg":"demo media not installed: the demo origin is off; pass --media-dir <dir> or --hls-dir, or run from a checkout"',
      );
      const get = (p: string) => fetch(`${server.base}${p}`);
      expect((await get("/streams/demo/live/master.m3u8")).status).toBe(404);
      expect((await get("/api/origin/stats")).status).toBe(404);
      const tracker = (await (await get("/api/tracker/stats")).json()) as Record<string, unknown>;
      expect(tracker).toHaveProperty("peers");
      expect((await get("/api/stats")).status).toBe(200);
      const metrics = await get("/metrics");
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain("nearcast_tracker_announces_total");
      const dashboard = await get("/dashboard");
      expect(dashboard.status).toBe(200);
      expect(await dashboard.text()).toContain("<html");
      const player = await get("/");
      expect(await player.text()).toContain("player.js");
      expect((await get("/sdk/nearcast.min.js")).status).toBe(200);
      expect(await announce(server.base)).toMatchObject({ action: "announce", interval: expect.any(Number) });
    } finally {
      expect(await stop(server)).toBe(0);
    }
  }, 60_000);

  it("serves the demo origin from the media folder it is given with --media-dir", async () => {
    const server = await startBin(["--media-dir", path.join(REPO_ROOT, "demo-server/media")]);
    try {
      expect(server.banner).not.toContain("demo media not installed");
      const live = await fetch(`${server.base}/streams/demo/live/master.m3u8`);
      expect(live.status).toBe(200);
      expect(await live.text()).toContain("#EXTM3U");
      expect((await fetch(`${server.base}/api/origin/stats`)).status).toBe(200);
    } finally {
      expect(await stop(server)).toBe(0);
    }
  }, 60_000);

  it("fails naming an explicit --media-dir that is missing", async () => {
    const child = spawn(
      process.execPath,
      [
        path.join(appDir, "node_modules/.bin/nearcast-server"),
        "--port",
        "0",
        "--media-dir",
        "/nonexistent/media",
      ],
      { cwd: appDir, env: consumerEnv(), stdio: ["ignore", "pipe", "pipe"] },
    );
    children.push(child);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    expect(code).toBe(1);
    expect(stderr.trim()).toMatch(/^error: .*\/nonexistent\/media$/);
  }, 60_000);

  it("--no-origin serves no media, keeps tracker, stats and metrics", async () => {
    const server = await startBin(["--no-origin"]);
    try {
      expect(server.banner).toMatch(/demo origin\s+off/);
      const get = (p: string) => fetch(`${server.base}${p}`);
      expect((await get("/streams/demo/live/master.m3u8")).status).toBe(404);
      expect((await get("/api/origin/stats")).status).toBe(404);
      expect((await get("/metrics")).status).toBe(200);
      expect((await get("/api/tracker/stats")).status).toBe(200);
      expect(await announce(server.base)).toMatchObject({ action: "announce" });
    } finally {
      expect(await stop(server)).toBe(0);
    }
  }, 60_000);

  it("runs as docs/systemd/nearcast-server.service says: plain node, settings from Environment=", async () => {
    const server = await startFromUnit();
    try {
      // The unit switches the demo origin off and binds to loopback behind the proxy.
      expect(server.banner).toMatch(/demo origin\s+off/);
      expect((await fetch(`${server.base}/streams/demo/live/master.m3u8`)).status).toBe(404);
      expect((await fetch(`${server.base}/metrics`)).status).toBe(200);
      expect(await announce(server.base)).toMatchObject({ action: "announce" });
    } finally {
      expect(await stop(server)).toBe(0);
    }
  }, 60_000);
});

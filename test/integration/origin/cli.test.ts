import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../../demo-server/src/config.js";

const TSX = path.join(REPO_ROOT, "node_modules", ".bin", "tsx");
const MAIN = path.join(REPO_ROOT, "demo-server", "src", "main.ts");

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[]): { child: ChildProcess; exited: Promise<Exit>; output: () => string } {
  // cwd outside the repo: the server must find its media relative to itself, not the working directory.
  const child = spawn(TSX, [MAIN, ...args], { cwd: "/tmp", env: { ...process.env, PORT: "" } });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Exit>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr })),
  );
  return { child, exited, output: () => stdout };
}

describe("demo-server CLI", () => {
  it("exits 2 with a one-line error naming --port for a bad port", async () => {
    const { code, stderr } = await start(["--port", "abc"]).exited;
    expect(code).toBe(2);
    expect(stderr.trim()).toBe('error: --port must be an integer 0-65535, got "abc"');
  });

  it("exits 2 naming an unknown flag", async () => {
    const { code, stderr } = await start(["--live-windw", "3"]).exited;
    expect(code).toBe(2);
    expect(stderr).toContain("--live-windw");
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it("exits 1 naming a missing media folder", async () => {
    const { code, stderr } = await start(["--media-dir", "/nonexistent"]).exited;
    expect(code).toBe(1);
    expect(stderr.trim()).toMatch(/^error: .*\/nonexistent$/);
  });

  it("prints the URLs, serves, and exits 0 on SIGTERM", async () => {
    const server = start(["--port", "0", "--host", "127.0.0.1", "--live-window", "5"]);
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setInterval(() => {
        const match = /listening on 127\.0\.0\.1:(\d+)[\s\S]*origin stats/.exec(server.output());
        if (match !== null) {
          clearInterval(timer);
          resolve(Number(match[1]));
        }
      }, 50);
      void server.exited.then((exit) => {
        clearInterval(timer);
        reject(new Error(`server exited early: ${JSON.stringify(exit)}`));
      });
    });
    expect(server.output()).toContain(`http://localhost:${port}/streams/demo/live/master.m3u8`);
    expect(server.output()).toContain(`http://localhost:${port}/api/origin/stats`);
    const playlist = await (await fetch(`http://127.0.0.1:${port}/streams/demo/live/360p/index.m3u8`)).text();
    expect(playlist.split("\n").filter((line) => line.startsWith("seg-live-"))).toHaveLength(5);

    server.child.kill("SIGTERM");
    const exit = await server.exited;
    expect(exit.code).toBe(0);
  });
});

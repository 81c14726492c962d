// The example apps in examples/ as a new user gets them: the SDK packed with `npm pack`, each example
// copied to a temporary folder, installed from the npm registry with that tarball, built and served.
// Shared by the consumer test; nothing here is cached in the repository.
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import express from "express";
import { waitFor } from "../../support/wait-for.js";

export interface CommandResult {
  code: number | null;
  /** stdout and stderr interleaved, for error messages. */
  output: string;
  elapsedMs: number;
}

/**
 * The environment for npm in a consumer folder: the caller's npm_* variables (set when this runs
 * under `npm test`) would point the nested npm at this repository's workspace and config.
 */
export function consumerEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith("npm_")),
  );
  return { ...env, NEXT_TELEMETRY_DISABLED: "1", CI: "true" };
}

/** Runs a command to completion; never throws for a non-zero exit (see `code`). */
export function run(
  command: string,
  args: readonly string[],
  cwd: string,
  timeoutMs: number,
): Promise<CommandResult> {
  const startedAt = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: consumerEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const append = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-64 * 1024);
    };
    child.stdout.on("data", append);
    child.stderr.on("data", append);
    const timer = setTimeout(() => {
      output += `\n[killed after ${timeoutMs} ms]`;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (error) => {
      output += `\n${error.message}`;
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output, elapsedMs: Date.now() - startedAt });
    });
  });
}

/** `npm pack` of sdk/ into `destDir` (the build must have run: `npm test` builds first). */
export async function packSdk(repoRoot: string, destDir: string): Promise<string> {
  const result = await run(
    "npm",
    ["pack", "--ignore-scripts", "--json", "--pack-destination", destDir],
    path.join(repoRoot, "sdk"),
    120_000,
  );
  if (result.code !== 0) throw new Error(`npm pack in sdk/ failed:\n${result.output}`);
  const json = result.output.slice(result.output.indexOf("["));
  const [packed] = JSON.parse(json) as { filename: string }[];
  if (packed === undefined) throw new Error(`npm pack printed no file:\n${result.output}`);
  return path.join(destDir, packed.filename);
}

/**
 * Copies examples/<name> to `destDir` (no node_modules or build output) and points its `nearcast`
 * dependency at the packed tarball. Returns the app folder.
 */
export function copyExample(repoRoot: string, name: string, destDir: string, tarball: string): string {
  const source = path.join(repoRoot, "examples", name);
  const dir = path.join(destDir, name);
  const skipped = new Set(["node_modules", "dist", ".next", "package-lock.json"]);
  cpSync(source, dir, { recursive: true, filter: (file) => !skipped.has(path.basename(file)) });
  const manifestPath = path.join(dir, "package.json");
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as {
    dependencies?: Record<string, string>;
  };
  if (manifest.dependencies?.["nearcast"] === undefined) {
    throw new Error(`examples/${name}/package.json does not depend on nearcast`);
  }
  manifest.dependencies["nearcast"] = `file:${tarball}`;
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  return dir;
}

/** A tiny counting semaphore: at most `limit` of the wrapped tasks run at once. */
export function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

export interface ServedApp {
  url: string;
  close(): Promise<void>;
}

/** Serves a built static app (`dist/`) on a free loopback port. */
export async function serveStatic(dir: string): Promise<ServedApp> {
  const app = express();
  app.use(express.static(dir));
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A free loopback TCP port (for servers such as `next start` that need one named). */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** `next start` of a built Next.js app on a free port; resolves once `/` answers. */
export async function startNext(dir: string, timeoutMs = 60_000): Promise<ServedApp> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(dir, "node_modules/next/dist/bin/next"), "start", "-p", String(port), "-H", "127.0.0.1"],
    { cwd: dir, env: consumerEnv(), stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}/`;
  const close = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}:\n${output}`);
        return fetch(url).then(
          (res) => res.status > 0,
          () => false,
        );
      },
      timeoutMs,
      "next start to answer",
      { intervalMs: 250, describeLast: () => output },
    );
    return { url, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The last `lines` lines of a command's output, for failure messages. */
export function tail(text: string, lines = 40): string {
  return text.split("\n").slice(-lines).join("\n");
}

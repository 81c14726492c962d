import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { freeLoopbackPort } from "./test-trackers.js";

/** A real `redis-server` on 127.0.0.1 and a free port, without persistence (a throwaway instance). */
export interface RedisProcess {
  url: string;
  port: number;
  /** Kills the server (SIGKILL: an outage, not a clean shutdown). Idempotent. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty (no persistence), as after a crash and restart. */
  restart(): Promise<void>;
}

const INSTALL_HINT =
  "redis-server not found: install it with `apt-get install -y redis-server` (.ci/run does)";

/** @throws Error naming the install command when `redis-server` is not on PATH. */
export async function startRedis(): Promise<RedisProcess> {
  if (spawnSync("redis-server", ["--version"]).error !== undefined) throw new Error(INSTALL_HINT);
  const port = await freeLoopbackPort();
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    child = await spawnRedis(port);
  };
  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
    running.kill("SIGKILL");
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    async restart() {
      await stop();
      await start();
    },
  };
}

function spawnRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--protected-mode",
      "no",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(
      () => fail(new Error(`redis-server did not start on ${port}: ${output}`)),
      10_000,
    );
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(error);
    };
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", fail);
    child.once("exit", (code) => fail(new Error(`redis-server exited with ${code}: ${output}`)));
  });
}

// Child processes of the tracker bench: the tracker under test and the load-generator workers,
// with a small request/response helper over IPC.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Command, LoadResult } from "./load-client.js";

export interface Usage {
  cpuSec: number;
  rssBytes: number;
  maxRssBytes: number;
  heapUsedBytes: number;
}

/** Sends one message and resolves with the next reply of the same `type` (or rejects on "error"). */
export function request<T>(child: ChildProcess, message: { type: string }): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: { type: string; message?: string }) => {
      if (reply.type !== message.type && reply.type !== "error") return;
      child.off("message", onMessage);
      if (reply.type === "error") reject(new Error(reply.message));
      else resolve(reply as T);
    };
    child.on("message", onMessage);
    child.send(message);
  });
}

export interface Target {
  kind: string;
  url: string;
  child: ChildProcess;
  usage(): Promise<Usage>;
  gc(): Promise<void>;
  stop(): Promise<void>;
}

/** Forks one tracker (`nearcast` or `reference`), optionally profiling it with --cpu-prof. */
export async function startTarget(
  kind: "nearcast" | "reference",
  options: { redisUrl?: string; cpuProfDir?: string } = {},
): Promise<Target> {
  const script = fileURLToPath(new URL("./target.ts", import.meta.url));
  const profile =
    options.cpuProfDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfDir}`];
  const child = fork(script, [kind, ...(options.redisUrl === undefined ? [] : [options.redisUrl])], {
    execArgv: ["--import", "tsx", "--expose-gc", ...profile],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once("message", (m: { type: string; url: string }) => resolve(m.url));
    child.once("exit", (code) => reject(new Error(`${kind} tracker exited with ${code}`)));
  });
  return {
    kind,
    url,
    child,
    usage: () => request<Usage>(child, { type: "usage" }),
    gc: async () => {
      await request(child, { type: "gc" });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.send({ type: "exit" });
      }),
  };
}

export interface Worker {
  command<T>(cmd: Command): Promise<T>;
  stop(): Promise<void>;
}

export function startWorker(): Worker {
  const script = fileURLToPath(new URL("./load-client.ts", import.meta.url));
  const child = fork(script, [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return {
    command: <T>(cmd: Command) => request<T>(child, cmd),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGKILL");
      }),
  };
}

export type { LoadResult };

// Where the viewers of a run live: in the bench process (InProcessHost) or in forked worker
// processes (ForkedHost, entry swarm-worker.ts) so 50 engines are not all on one event loop.
// Both speak the same small request/response protocol.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { GroupResult, GroupStatus, ViewerGroupConfig } from "./swarm-viewers.js";
import { ViewerGroup } from "./swarm-viewers.js";

export type WorkerRequest =
  | { type: "init"; config: ViewerGroupConfig; name: string }
  | { type: "join"; index: number }
  | { type: "status"; id: number }
  | { type: "stop"; id: number }
  | { type: "exit" };

export type WorkerReply =
  | { type: "ready" }
  | { type: "status"; id: number; status: GroupStatus }
  | { type: "stopped"; id: number; result: GroupResult }
  | { type: "fatal"; message: string };

export interface ViewerHost {
  readonly name: string;
  join(index: number): void;
  status(): Promise<GroupStatus>;
  /** Stop the players and collect their results; engines keep serving until `close`. */
  stop(): Promise<GroupResult>;
  close(): Promise<void>;
}

export class InProcessHost implements ViewerHost {
  readonly name = "bench";
  private readonly group: ViewerGroup;
  constructor(config: ViewerGroupConfig) {
    this.group = new ViewerGroup(config, this.name);
  }
  join(index: number): void {
    this.group.join(index);
  }
  status(): Promise<GroupStatus> {
    return Promise.resolve(this.group.status());
  }
  stop(): Promise<GroupResult> {
    return this.group.stop();
  }
  close(): Promise<void> {
    this.group.destroy();
    return Promise.resolve();
  }
}

const WORKER_ENTRY = fileURLToPath(new URL("./swarm-worker.ts", import.meta.url));
/** A worker that does not answer within this long is reported, not waited for forever. */
const REPLY_TIMEOUT_MS = 60_000;

export class ForkedHost implements ViewerHost {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, (reply: WorkerReply) => void>();
  private nextId = 1;
  private exited: Promise<void>;
  private failure: string | undefined;

  private constructor(readonly name: string) {
    // process.execArgv carries tsx's loader, so the worker runs TypeScript like this process.
    // Its stdout goes to our stderr: stdout carries the report only.
    this.child = fork(WORKER_ENTRY, [], { stdio: ["ignore", 2, 2, "ipc"] });
    this.exited = new Promise((resolve) => this.child.once("exit", () => resolve()));
    this.child.on("message", (message: WorkerReply) => {
      if (message.type === "fatal") {
        this.failure = message.message;
        process.stderr.write(`[swarm] ${name} failed: ${message.message}\n`);
        return;
      }
      if (message.type === "ready") return this.pending.get(0)?.(message);
      this.pending.get(message.id)?.(message);
    });
    this.child.once("exit", (code) => {
      const reason = this.failure ?? `exited with code ${String(code)}`;
      for (const resolve of this.pending.values()) resolve({ type: "fatal", message: reason });
      this.pending.clear();
    });
  }

  static async start(name: string, config: ViewerGroupConfig): Promise<ForkedHost> {
    const host = new ForkedHost(name);
    const ready = host.waitFor(0);
    host.send({ type: "init", config, name });
    const reply = await ready;
    if (reply.type !== "ready")
      throw new Error(`${name}: ${reply.type === "fatal" ? reply.message : "bad reply"}`);
    return host;
  }

  join(index: number): void {
    this.send({ type: "join", index });
  }

  async status(): Promise<GroupStatus> {
    const id = this.nextId++;
    const reply = this.waitFor(id);
    this.send({ type: "status", id });
    const r = await reply;
    if (r.type !== "status") throw new Error(`${this.name}: ${r.type === "fatal" ? r.message : "bad reply"}`);
    return r.status;
  }

  async stop(): Promise<GroupResult> {
    const id = this.nextId++;
    const reply = this.waitFor(id);
    this.send({ type: "stop", id });
    const r = await reply;
    if (r.type !== "stopped")
      throw new Error(`${this.name}: ${r.type === "fatal" ? r.message : "bad reply"}`);
    return r.result;
  }

  async close(): Promise<void> {
    this.send({ type: "exit" });
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 10_000);
    await this.exited;
    clearTimeout(timer);
  }

  private send(message: WorkerRequest): void {
    if (this.child.connected) this.child.send(message);
  }

  private waitFor(id: number): Promise<WorkerReply> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ type: "fatal", message: `no reply within ${REPLY_TIMEOUT_MS} ms` });
      }, REPLY_TIMEOUT_MS);
      this.pending.set(id, (reply) => {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve(reply);
      });
    });
  }
}

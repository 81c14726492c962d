// A Node process inside a network namespace (`ip netns exec <ns> node --import tsx <script>`),
// driven over JSON lines: commands on its stdin, events on its stdout. The test process stays in
// the host namespace and reaches the namespaces' addresses only through these agents.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { REPO_ROOT } from "../../../demo-server/src/config.js";

/** Every event an agent prints has a name; the rest of its fields depend on it. */
export interface AgentEvent {
  event: string;
  [field: string]: unknown;
}

export class NsAgent {
  private readonly child: ChildProcess;
  private readonly events: AgentEvent[] = [];
  private readonly waiters = new Set<() => void>();
  private stderr = "";
  private exited: string | undefined;
  private readonly listeners: ((event: AgentEvent) => void)[] = [];

  /** Starts `script` (a path under the repository) in namespace `ns`. */
  constructor(
    readonly label: string,
    ns: string,
    script: string,
    env: Record<string, string> = {},
  ) {
    this.child = spawn("ip", ["netns", "exec", ns, process.execPath, "--import", "tsx", script], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    createInterface({ input: this.child.stdout! }).on("line", (line) => {
      if (!line.startsWith("{")) return;
      try {
        const event = JSON.parse(line) as AgentEvent;
        this.events.push(event);
        for (const listener of this.listeners) listener(event);
      } catch {
        return;
      }
      this.wake();
    });
    this.child.stderr!.on("data", (chunk: Buffer) => {
      // Keep the tail only: enough to explain a crash.
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    this.child.on("exit", (code, signal) => {
      this.exited = `exited with ${signal ?? code}`;
      this.wake();
    });
    this.child.stdin!.on("error", () => undefined);
  }

  /** Called with every event from now on (progress logs). */
  onEvent(listener: (event: AgentEvent) => void): void {
    this.listeners.push(listener);
  }

  send(command: Record<string, unknown>): void {
    if (!this.exited) this.child.stdin!.write(`${JSON.stringify(command)}\n`);
  }

  /** Events so far that match. */
  seen(match: (event: AgentEvent) => boolean): AgentEvent[] {
    return this.events.filter(match);
  }

  /** The first event that matches (already seen or still to come); rejects on timeout or exit. */
  async waitFor(match: (event: AgentEvent) => boolean, timeoutMs: number, what: string): Promise<AgentEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(match);
      if (found) return found;
      if (this.exited) throw new Error(`${this.label} ${this.exited} before ${what}:\n${this.stderr}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`${this.label}: timed out after ${timeoutMs} ms waiting for ${what}\n${this.stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(done);
      });
    }
  }

  /** Ask it to exit, then kill it if it has not within `graceMs`. Idempotent. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.exited) return;
    this.send({ cmd: "exit" });
    this.child.stdin!.end();
    const gone = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await gone;
    clearTimeout(timer);
  }

  private wake(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }
}

/** Print one event from inside an agent. */
export function emitEvent(event: AgentEvent): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

/** Run `handle` for every command line on stdin; resolves on `{cmd:"exit"}` or when stdin closes. */
export function onCommands(
  handle: (command: Record<string, unknown>) => void | Promise<void>,
): Promise<void> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: process.stdin });
    lines.on("line", (line) => {
      let command: Record<string, unknown>;
      try {
        command = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return emitEvent({ event: "error", message: `bad command ${line.slice(0, 80)}` });
      }
      if (command["cmd"] === "exit") return lines.close();
      Promise.resolve(handle(command)).catch((error: unknown) =>
        emitEvent({ event: "error", message: String((error as Error)?.stack ?? error) }),
      );
    });
    lines.on("close", () => resolve());
  });
}

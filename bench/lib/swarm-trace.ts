// Reads the engine's debug log (`nearcast:engine`, one line per scheduling decision with its reason)
// so the bench can say *why* bytes came over HTTP. The parsing is pure; `captureEngineLog` hooks the
// `debug` package of this process.
import { format } from "node:util";
import createDebug from "debug";

export type LogEvent =
  | {
      kind: "decision";
      segmentId: string;
      decision: "p2p" | "wait" | "http";
      reason: string;
      deadlineMs: number;
      peers: number;
      candidates: number;
    }
  | { kind: "peer-failure"; segmentId: string; peerId: string; failure: PeerFailureKind; message: string };

export type PeerFailureKind = "stalled" | "over-budget" | "peer-closed" | "absent" | "aborted" | "other";

// segment-delivery.ts: log("%s %s: %s (%s) deadline %d ms, slack %d ms, hold left %d ms, %d peers connected,
// %d candidates", swarmKey, id, ...); slack and hold are optional (logs from before they were added)
const DECISION =
  /(\S+): (p2p|wait|http) \(([a-z-]+)\) deadline (-?\d+(?:\.\d+)?) ms,(?: slack -?[\d.]+ ms, hold left -?[\d.]+ ms,)? (\d+) peers connected, (\d+) candidates/;
// engine.ts: log("segment %s from %s failed: %s", id, peerId, message)
const FAILURE = /segment (\S+) from (\S+) failed: (.*)$/;
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/** One formatted log line → what it says, or undefined for lines the bench does not use. */
export function parseEngineLogLine(line: string): LogEvent | undefined {
  const text = line.replace(ANSI, "").trimEnd();
  const d = DECISION.exec(text);
  if (d) {
    return {
      kind: "decision",
      segmentId: d[1]!,
      decision: d[2] as "p2p" | "wait" | "http",
      reason: d[3]!,
      deadlineMs: Number(d[4]),
      peers: Number(d[5]),
      candidates: Number(d[6]),
    };
  }
  const f = FAILURE.exec(text);
  if (f)
    return {
      kind: "peer-failure",
      segmentId: f[1]!,
      peerId: f[2]!,
      failure: failureKind(f[3]!),
      message: f[3]!,
    };
  return undefined;
}

export function failureKind(message: string): PeerFailureKind {
  if (message.startsWith("no data for")) return "stalled";
  if (message.startsWith("over the")) return "over-budget";
  if (message.startsWith("peer closed")) return "peer-closed";
  if (message.startsWith("peer does not have")) return "absent";
  if (message === "aborted") return "aborted";
  return "other";
}

/** Counts of decisions ("http:no-peer-has-it", "p2p:complete", …) and of failed peer transfers. */
export interface TraceSummary {
  decisions: Record<string, number>;
  peerFailures: Record<string, number>;
}

export function emptyTrace(): TraceSummary {
  return { decisions: {}, peerFailures: {} };
}

export function addToTrace(trace: TraceSummary, event: LogEvent): void {
  if (event.kind === "decision") {
    const key = `${event.decision}:${event.reason}`;
    trace.decisions[key] = (trace.decisions[key] ?? 0) + 1;
  } else {
    trace.peerFailures[event.failure] = (trace.peerFailures[event.failure] ?? 0) + 1;
  }
}

export function mergeTraces(traces: readonly TraceSummary[]): TraceSummary {
  const merged = emptyTrace();
  for (const t of traces) {
    for (const [k, v] of Object.entries(t.decisions)) merged.decisions[k] = (merged.decisions[k] ?? 0) + v;
    for (const [k, v] of Object.entries(t.peerFailures))
      merged.peerFailures[k] = (merged.peerFailures[k] ?? 0) + v;
  }
  return merged;
}

/**
 * Turn on `nearcast:engine` in this process and hand every parsed line to `onEvent`. Namespaces the
 * user enabled with DEBUG still print to stderr as usual. Returns a function that undoes the hook.
 */
export function captureEngineLog(onEvent: (event: LogEvent) => void): () => void {
  const userNamespaces = process.env.DEBUG ?? "";
  const userWants = userNamespaces ? createDebug.enabled : () => false;
  const userEnabled = new Map<string, boolean>();
  // Evaluate the user's selection before widening it.
  const wanted = (ns: string) => {
    let v = userEnabled.get(ns);
    if (v === undefined) userEnabled.set(ns, (v = userWants(ns)));
    return v;
  };
  wanted("nearcast:engine");
  wanted("nearcast:p2p");
  const originalLog = createDebug.log;
  createDebug.enable([userNamespaces, "nearcast:engine"].filter(Boolean).join(","));
  // enable() also writes process.env.DEBUG, which child processes would inherit: put it back.
  restoreEnv(userNamespaces);
  createDebug.log = function (this: { namespace?: string }, ...args: unknown[]) {
    const ns = this.namespace ?? "";
    if (ns === "nearcast:engine") {
      const event = parseEngineLogLine(format(...args));
      if (event) onEvent(event);
    }
    if (userNamespaces && wanted(ns)) originalLog.apply(this, args);
  };
  return () => {
    createDebug.log = originalLog;
    if (userNamespaces) createDebug.enable(userNamespaces);
    else createDebug.disable();
    restoreEnv(userNamespaces);
  };
}

function restoreEnv(debug: string): void {
  if (debug) process.env.DEBUG = debug;
  else delete process.env.DEBUG;
}

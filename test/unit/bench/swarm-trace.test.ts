import { describe, expect, it } from "vitest";
import {
  addToTrace,
  emptyTrace,
  failureKind,
  mergeTraces,
  parseEngineLogLine,
} from "../../../bench/lib/swarm-trace.js";

describe("parseEngineLogLine (the nearcast:engine debug log)", () => {
  it("reads a scheduling decision, with or without colours and dates", () => {
    const plain =
      "2025-01-01T00:00:00.000Z nearcast:engine demo-live|360p 812: http (no-peer-has-it) deadline 5987 ms, 7 peers connected, 0 candidates";
    expect(parseEngineLogLine(plain)).toEqual({
      kind: "decision",
      segmentId: "812",
      decision: "http",
      reason: "no-peer-has-it",
      deadlineMs: 5987,
      peers: 7,
      candidates: 0,
    });
    const coloured =
      "  \u001b[38;5;32;1mnearcast:engine \u001b[0mdemo-live|360p 3: wait (awaiting-first-peer) deadline 1999.5 ms, 0 peers connected, 0 candidates \u001b[38;5;32m+2ms\u001b[0m";
    expect(parseEngineLogLine(coloured)).toMatchObject({
      decision: "wait",
      reason: "awaiting-first-peer",
      segmentId: "3",
      deadlineMs: 1999.5,
    });
    expect(
      parseEngineLogLine("x k 7: p2p (complete) deadline 0 ms, 1 peers connected, 1 candidates"),
    ).toMatchObject({
      decision: "p2p",
      reason: "complete",
      deadlineMs: 0,
    });
    expect(
      parseEngineLogLine(
        "x k 9: http (no-peer-has-it) deadline 2650 ms, slack -150 ms, hold left 0 ms, 3 peers connected, 0 candidates",
      ),
    ).toMatchObject({
      decision: "http",
      reason: "no-peer-has-it",
      deadlineMs: 2650,
      peers: 3,
      candidates: 0,
    });
  });

  it("reads a failed peer transfer and classifies its cause", () => {
    expect(parseEngineLogLine("nearcast:engine segment 812 from abcd failed: no data for 1500 ms")).toEqual({
      kind: "peer-failure",
      segmentId: "812",
      peerId: "abcd",
      failure: "stalled",
      message: "no data for 1500 ms",
    });
    expect(failureKind("over the 812 ms budget")).toBe("over-budget");
    expect(failureKind("peer closed: channel closed")).toBe("peer-closed");
    expect(failureKind("peer does not have 812")).toBe("absent");
    expect(failureKind("aborted")).toBe("aborted");
    expect(failureKind("something new")).toBe("other");
  });

  it("ignores other lines", () => {
    expect(parseEngineLogLine("nearcast:engine listener threw: Error")).toBeUndefined();
    expect(parseEngineLogLine("")).toBeUndefined();
  });
});

describe("trace summaries", () => {
  it("count decisions by kind and reason, failures by kind, and merge", () => {
    const a = emptyTrace();
    const line = (s: string) => {
      const e = parseEngineLogLine(s);
      if (e) addToTrace(a, e);
    };
    line("k 1: http (no-peer-has-it) deadline 1 ms, 0 peers connected, 0 candidates");
    line("k 2: http (no-peer-has-it) deadline 1 ms, 0 peers connected, 0 candidates");
    line("k 2: p2p (fetching) deadline 1 ms, 1 peers connected, 1 candidates");
    line("segment 2 from p failed: no data for 300 ms");
    expect(a).toEqual({
      decisions: { "http:no-peer-has-it": 2, "p2p:fetching": 1 },
      peerFailures: { stalled: 1 },
    });
    const merged = mergeTraces([a, { decisions: { "p2p:fetching": 2 }, peerFailures: { absent: 1 } }]);
    expect(merged).toEqual({
      decisions: { "http:no-peer-has-it": 2, "p2p:fetching": 3 },
      peerFailures: { stalled: 1, absent: 1 },
    });
  });
});

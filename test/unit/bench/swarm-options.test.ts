import { describe, expect, it } from "vitest";
import {
  autoWorkers,
  DEFAULT_OPTIONS,
  parsePeerList,
  parseSwarmArgs,
  QUICK_OPTIONS,
} from "../../../bench/lib/swarm-options.js";

describe("parseSwarmArgs", () => {
  it("has the documented defaults", () => {
    const r = parseSwarmArgs([]);
    expect(r).toEqual({ ok: true, options: { ...DEFAULT_OPTIONS } });
  });

  it("reads every flag", () => {
    const r = parseSwarmArgs([
      "--peers",
      "10,30,50",
      "--duration-sec",
      "60",
      "--join-spread-sec",
      "0",
      "--rendition",
      "540p",
      "--max-peers",
      "20",
      "--mode",
      "vod",
      "--cdn-latency-ms",
      "50",
      "--cdn-bandwidth-kbps",
      "8000",
      "--workers",
      "2",
      "--json",
      "out.json",
    ]);
    expect(r.ok && r.options).toMatchObject({
      peers: [10, 30, 50],
      durationSec: 60,
      joinSpreadSec: 0,
      rendition: "540p",
      maxPeers: 20,
      mode: "vod",
      cdnLatencyMs: 50,
      cdnBandwidthKbps: 8000,
      workers: 2,
      jsonPath: "out.json",
    });
  });

  it("--quick shrinks the run, and explicit flags still win", () => {
    const quick = parseSwarmArgs(["--quick"]);
    expect(quick.ok && quick.options).toMatchObject({ ...QUICK_OPTIONS, quick: true });
    const mixed = parseSwarmArgs(["--quick", "--peers", "6"]);
    expect(mixed.ok && mixed.options).toMatchObject({ peers: [6], durationSec: QUICK_OPTIONS.durationSec });
  });

  it("rejects bad values with a message naming the flag", () => {
    const bad = (args: string[], text: string) => {
      const r = parseSwarmArgs(args);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toContain(text);
    };
    bad(["--peers", "10,,50"], "--peers");
    bad(["--peers", "0"], "--peers");
    bad(["--peers", "ten"], "--peers");
    bad(["--duration-sec", "0"], "--duration-sec");
    bad(["--duration-sec", ""], "--duration-sec");
    bad(["--max-peers", "2.5"], "--max-peers");
    bad(["--mode", "dvr"], "--mode");
    bad(["--rendition", "../x"], "--rendition");
    bad(["--workers", "-1"], "--workers");
    bad(["--nope"], "nope");
  });

  it("--help is reported as such", () => {
    expect(parseSwarmArgs(["--help"])).toEqual({ ok: false, error: "help" });
  });
});

describe("parsePeerList and autoWorkers", () => {
  it("parses a list", () => {
    expect(parsePeerList("4, 8")).toEqual([4, 8]);
    expect(() => parsePeerList("")).toThrow();
  });

  it("auto workers: one process for small swarms, then one per 25 viewers up to the cores", () => {
    expect(autoWorkers(10, 2)).toBe(1);
    expect(autoWorkers(30, 2)).toBe(2);
    expect(autoWorkers(50, 2)).toBe(2);
    expect(autoWorkers(100, 8)).toBe(4);
    expect(autoWorkers(100, 1)).toBe(1);
  });
});

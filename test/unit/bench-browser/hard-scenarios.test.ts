import { describe, expect, it } from "vitest";
import { parseBenchArgs } from "../../../bench/browser/args.js";
import {
  mixedRenditionProfile,
  networkConditions,
  weakUplinkProfile,
} from "../../../bench/browser/hard-scenarios.js";
import {
  buildScenario,
  DEFAULT_SCENARIO_OPTIONS,
  HARD_SCENARIO_IDS,
  pageConfigFor,
  viewerLink,
  viewerProfile,
} from "../../../bench/browser/scenarios.js";

const endpoints = { serverUrl: "http://127.0.0.1:4000", btTrackerUrl: "ws://127.0.0.1:5000" };

describe("issue 13 scenarios", () => {
  it("are part of the default bench and take their own viewer counts", () => {
    const args = parseBenchArgs([]);
    for (const id of HARD_SCENARIO_IDS) expect(args.scenarios).toContain(id);
    expect(buildScenario("mixed-renditions").viewers).toBe(9);
    expect(buildScenario("weak-uplinks").viewers).toBe(8);
    expect(buildScenario("churn")).toMatchObject({ viewers: 8, churn: { intervalMs: 20_000 } });
    expect(buildScenario("viewer-cost-3mbps")).toMatchObject({ viewers: 4, measureCost: true });
    const custom = parseBenchArgs([
      "--mixed-viewers",
      "6",
      "--churn-interval-sec",
      "15",
      "--weak-upload-kbps",
      "400",
    ]);
    expect(custom.scenarioOptions).toMatchObject({
      mixedViewers: 6,
      churnIntervalMs: 15_000,
      weakUploadKbps: 400,
    });
    expect(() => parseBenchArgs(["--cost-viewers", "0"])).toThrow(/--cost-viewers/);
  });

  it("mixed renditions: three downlinks in turn, the last viewer switching down and back up", () => {
    const downlinks = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => mixedRenditionProfile(i, 9, 60_000).downlinkKbps);
    expect(downlinks).toEqual([700, 1100, 4000, 700, 1100, 4000, 700, 1100]);
    expect(mixedRenditionProfile(8, 9, 60_000)).toMatchObject({
      downlinkKbps: 4000,
      downlinkChanges: [
        { afterMs: 20_000, downlinkKbps: 700 },
        { afterMs: 40_000, downlinkKbps: 4000 },
      ],
    });
    expect(networkConditions(800)).toEqual({ download: 100_000, upload: -1, latency: 20 });
    expect(networkConditions(0)).toEqual({ download: -1, upload: -1, latency: 0 });
  });

  it("weak uplinks with tc: the capped half has a 500 kbit/s uplink, which Nearcast is not told", () => {
    const labels = [0, 1, 2, 3].map((i) => weakUplinkProfile(i, 500).label);
    expect(labels).toEqual(["upload off", "uplink 500 kbit/s", "uplink 500 kbit/s", "upload uncapped"]);
    const scenario = buildScenario("weak-uplinks");
    const capped = viewerProfile(scenario, 5, 8, 60_000);
    expect(viewerLink(scenario, capped)).toEqual({ downKbps: 20_000, upKbps: 500 });
    expect(viewerLink(scenario, viewerProfile(scenario, 7, 8, 60_000))).toEqual({
      downKbps: 20_000,
      upKbps: 5000,
    });
    expect(pageConfigFor(scenario, "nearcast", endpoints, capped).nearcast).toEqual({
      trackerUrls: ["ws://127.0.0.1:4000/tracker"],
      rtcConfiguration: { iceServers: [] },
    });
  });

  it("links: a profile's downlink, and never an uplink faster than it", () => {
    const mixed = buildScenario("mixed-renditions");
    const links = [0, 1, 2].map((i) => viewerLink(mixed, viewerProfile(mixed, i, 9, 60_000)));
    expect(links).toEqual([
      { downKbps: 700, upKbps: 700 },
      { downKbps: 1100, upKbps: 1100 },
      { downKbps: 4000, upKbps: 4000 },
    ]);
    const cost = buildScenario("viewer-cost-3mbps");
    expect(viewerLink(cost, viewerProfile(cost, 0, 4, 60_000))).toEqual({ downKbps: 3000, upKbps: 3000 });
  });

  it("weak uplinks with DevTools: a quarter upload nothing, half capped by Nearcast, a quarter free", () => {
    const labels = [0, 1, 2, 3].map((i) => weakUplinkProfile(i, 500, "devtools").label);
    expect(labels).toEqual(["upload off", "upload ≤ 500 kbit/s", "upload ≤ 500 kbit/s", "upload uncapped"]);
    const scenario = buildScenario("weak-uplinks", { ...DEFAULT_SCENARIO_OPTIONS, shaping: "devtools" });
    const off = viewerProfile(scenario, 4, 8, 60_000);
    const capped = viewerProfile(scenario, 5, 8, 60_000);
    expect(pageConfigFor(scenario, "nearcast", endpoints, off).nearcast).toEqual({
      trackerUrls: ["ws://127.0.0.1:4000/tracker"],
      rtcConfiguration: { iceServers: [] },
      uploadEnabled: false,
    });
    expect(pageConfigFor(scenario, "nearcast", endpoints, capped).nearcast).toEqual({
      trackerUrls: ["ws://127.0.0.1:4000/tracker"],
      rtcConfiguration: { iceServers: [] },
      maxUploadBytesPerSec: 62_500,
    });
    expect(pageConfigFor(scenario, "p2pml", endpoints, off).p2pml).toMatchObject({
      isP2PUploadDisabled: true,
    });
    expect(pageConfigFor(scenario, "p2pml", endpoints, capped).p2pml).not.toHaveProperty(
      "isP2PUploadDisabled",
    );
    expect(pageConfigFor(scenario, "http", endpoints, off)).not.toHaveProperty("nearcast");
  });

  it("gives every client the same stream, hls.js config and per-viewer profile", () => {
    for (const id of HARD_SCENARIO_IDS) {
      const scenario = buildScenario(id, DEFAULT_SCENARIO_OPTIONS);
      expect(scenario.hlsConfig).toEqual({ liveSyncDurationCount: 3 });
      expect(scenario.stream).toBe("live");
      const profile = viewerProfile(scenario, 2, scenario.viewers ?? 6, 60_000);
      expect(viewerProfile(scenario, 2, scenario.viewers ?? 6, 60_000)).toEqual(profile);
    }
    expect(viewerProfile(buildScenario("viewer-cost-1mbps"), 0, 4, 60_000).downlinkKbps).toBe(1000);
    expect(viewerProfile(buildScenario("churn"), 0, 8, 60_000).downlinkKbps).toBe(0);
  });
});

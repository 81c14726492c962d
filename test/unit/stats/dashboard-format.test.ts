import { describe, expect, it } from "vitest";
import {
  formatOriginOffload,
  renditionLabel,
  disagreementNote,
  disagreements,
  formatAge,
  formatBytes,
  formatPercent,
  formatRate,
  seriesTimes,
} from "../../../demo-server/dashboard/src/format.js";
import type { MeasuredWindowFigures, WindowName } from "../../../demo-server/src/stats/snapshot-types.js";

function windows(
  pairs: Record<WindowName, [number | null, number | null]>,
): Record<WindowName, MeasuredWindowFigures> {
  const out = {} as Record<WindowName, MeasuredWindowFigures>;
  for (const [window, [offload, originVsReportedOffload]] of Object.entries(pairs) as [
    WindowName,
    [number | null, number | null],
  ][]) {
    out[window] = {
      httpBytes: 0,
      p2pBytes: 0,
      uploadedBytes: 0,
      offload,
      originBytes: 0,
      reportedBytes: 0,
      originVsReportedOffload,
    };
  }
  return out;
}

describe("dashboard formatting", () => {
  it("formats ratios, bytes, rates and ages for people", () => {
    expect(formatPercent(0.734)).toBe("73%");
    expect(formatPercent(0.734, 1)).toBe("73.4%");
    expect(formatPercent(null)).toBe("—");
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(3 * 1024 ** 2)).toBe("3.0 MiB");
    expect(formatRate(87_500)).toBe("700 kbit/s");
    expect(formatRate(250_000)).toBe("2.00 Mbit/s");
    expect(formatRate(null)).toBe("—");
    expect(formatAge(500)).toBe("just now");
    expect(formatAge(12_000)).toBe("12 s ago");
    expect(formatAge(180_000)).toBe("3 min ago");
  });

  it("flags windows where viewers and origin differ by more than 5 points", () => {
    const agree = windows({ "1m": [0.7, 0.67], "15m": [0.7, 0.7], all: [null, 0.5] });
    expect(disagreements(agree)).toEqual([]);
    expect(disagreementNote(agree, 1)).toBe("");
    const apart = windows({ "1m": [0.7, 0.5], "15m": [0.6, 0.7], all: [0.7, 0.68] });
    expect(disagreements(apart).map((d) => d.window)).toEqual(["1m", "15m"]);
    const note = disagreementNote(apart, 2);
    expect(note).toContain("more offload than the origin measured over 1 min (20 pts)");
    expect(note).toContain("2 streams share this origin counter");
    expect(note).toContain("less offload than the origin measured over 15 min (10 pts)");
  });

  it("turns a series start into uPlot's unix seconds", () => {
    expect(seriesTimes(10_000, 5000, 3)).toEqual([10, 15, 20]);
  });
});

describe("dashboard labels that say what they mean (issue 24)", () => {
  it("names renditions by height and bitrate, audio by track, and keeps unknown keys", () => {
    expect(renditionLabel("v888864-960x540-avc1,mp4a")).toBe("540p · 889 kbit/s");
    expect(renditionLabel("v2500000-1920x1080-avc1.640028,mp4a.40.2")).toBe("1080p · 2.50 Mbit/s");
    expect(renditionLabel("a-aac-English-en")).toBe("audio English (en)");
    expect(renditionLabel("something-else")).toBe("something-else");
  });

  it("shows an origin figure below zero as unreported viewers, not a negative offload", () => {
    expect(formatOriginOffload(-0.085, 1)).toBe("< 0% (unreported viewers)");
    expect(formatOriginOffload(0.731, 1)).toBe("73.1%");
    expect(formatOriginOffload(null)).toBe("—");
  });
});

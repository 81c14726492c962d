import { describe, expect, it } from "vitest";
import { formatBytes, formatPercent, peerRows, pickSource } from "../../../demo-player/src/page-state.js";

const origin = "http://localhost:8080";

describe("demo page source selection", () => {
  it("defaults to the live stream with P2P on", () => {
    expect(pickSource(new URLSearchParams(""), origin)).toMatchObject({
      kind: "live",
      url: "http://localhost:8080/streams/demo/live/master.m3u8",
      p2p: true,
      report: true,
    });
  });

  it("takes report=0 to stop sending stats reports to the page's server", () => {
    expect(pickSource(new URLSearchParams("report=0"), origin)).toMatchObject({ p2p: true, report: false });
    expect(pickSource(new URLSearchParams("src=https://cdn.example/a.m3u8&report=0"), origin).report).toBe(
      false,
    );
  });

  it("takes src= as a custom manifest and p2p=0 to switch peers off", () => {
    const s = pickSource(new URLSearchParams("src=https://cdn.example/a.m3u8&p2p=0"), origin);
    expect(s).toMatchObject({ kind: "custom", url: "https://cdn.example/a.m3u8", p2p: false });
  });

  it("selects built-in streams by name and ignores unknown ones", () => {
    expect(pickSource(new URLSearchParams("stream=vod"), origin).url).toMatch(
      /\/streams\/demo\/vod\/master\.m3u8$/,
    );
    expect(pickSource(new URLSearchParams("stream=nope"), origin).kind).toBe("live");
  });

  it("formats bytes and ratios for people", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(5 * 1024 * 1024)).toBe("5.0 MiB");
    expect(formatPercent(0.8333)).toBe("83.3%");
  });
});

describe("peer rows", () => {
  it("sums a peer met in several swarms and sorts by bytes exchanged", () => {
    const rows = peerRows([
      { peerId: "-NC0100-aaaaaaaaaaaa", downloadedBytes: 100, uploadedBytes: 0 },
      { peerId: "-NC0100-bbbbbbbbbbbb", downloadedBytes: 500, uploadedBytes: 10 },
      { peerId: "-NC0100-aaaaaaaaaaaa", downloadedBytes: 1000, uploadedBytes: 5 },
    ]);
    expect(rows.map((r) => [r.label, r.downloadedBytes, r.uploadedBytes])).toEqual([
      ["aaaaaaaa", 1100, 5],
      ["bbbbbbbb", 500, 10],
    ]);
  });

  it("never puts markup from a peer id into its label", () => {
    expect(
      peerRows([{ peerId: "<img src=x onerror=alert(1)>", downloadedBytes: 1, uploadedBytes: 0 }])[0]?.label,
    ).toMatch(/^[A-Za-z0-9-]+$/);
  });
});

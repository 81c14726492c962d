import { describe, expect, it } from "vitest";
import {
  formatBytes,
  formatElapsed,
  formatPercent,
  offloadTile,
  peerLabel,
  peerRows,
  pickSource,
  trackerStatus,
} from "../../../demo-player/src/page-state.js";

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

describe("panel figures that say what they mean (issue 24)", () => {
  it("does not show a green 0 % for a tab that only uploads", () => {
    expect(offloadTile({ httpDownloadedBytes: 0, p2pDownloadedBytes: 0, p2pUploadedBytes: 0 })).toEqual({
      text: "–",
      tone: "neutral",
    });
    expect(
      offloadTile({ httpDownloadedBytes: 5_000_000, p2pDownloadedBytes: 0, p2pUploadedBytes: 5_242_880 }),
    ).toEqual({ text: "— (this tab only uploads)", tone: "neutral" });
    expect(offloadTile({ httpDownloadedBytes: 100, p2pDownloadedBytes: 0, p2pUploadedBytes: 0 })).toEqual({
      text: "0%",
      tone: "neutral",
    });
    expect(offloadTile({ httpDownloadedBytes: 60, p2pDownloadedBytes: 940, p2pUploadedBytes: 0 })).toEqual({
      text: "94.0%",
      tone: "good",
    });
  });

  it("labels a peer id the same way for this viewer and in the peers table", () => {
    const id = "-NC0100-aB3dE5gH7jK9";
    expect(peerLabel(id)).toBe("E5gH7jK9");
    expect(peerRows([{ peerId: id, downloadedBytes: 1, uploadedBytes: 2 }])[0]!.label).toBe(peerLabel(id));
  });

  it("says why the tracker is not introducing peers", () => {
    expect(trackerStatus(true, { state: "refused", reason: "token_missing" })).toEqual({
      text: "refused: token required",
      problem: true,
    });
    expect(trackerStatus(true, { state: "refused", reason: "origin_not_allowed" }).text).toBe(
      "refused: this page's origin is not allowed",
    );
    expect(trackerStatus(true, { state: "refused", reason: "swarm_gone" }).text).toBe("refused: swarm_gone");
    expect(trackerStatus(true, { state: "refused", reason: "token_scope", swarmKey: "s|v1" }).text).toBe(
      "refused for a rendition: the token does not cover this stream",
    );
    expect(
      trackerStatus(true, { state: "disconnected", error: "unreachable or refused (code 1006)" }),
    ).toEqual({
      text: "unreachable, retrying (unreachable or refused (code 1006))",
      problem: true,
    });
    expect(trackerStatus(true, { state: "connected" })).toEqual({ text: "connected", problem: false });
    expect(trackerStatus(true, undefined).text).toBe("connecting…");
    expect(trackerStatus(false, undefined).text).toBe("off (?p2p=0)");
  });

  it("writes chart times as elapsed m:ss, not a clock", () => {
    expect(formatElapsed(0)).toBe("0:00");
    expect(formatElapsed(185)).toBe("3:05");
    expect(formatElapsed(3725)).toBe("1:02:05");
    expect(formatElapsed(-5)).toBe("");
  });
});

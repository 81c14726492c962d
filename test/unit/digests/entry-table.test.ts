import { describe, expect, it } from "vitest";
import { EntryTable, graceMs, pollDelayMs } from "../../../demo-server/src/digests/entry-table.js";
import { indexMediaPlaylist } from "../../../demo-server/src/digests/playlist-index.js";

const BASE = new URL("https://cdn.example/live/index.m3u8?token=t");

/** A live playlist listing segments `first`…`last` (names may repeat: `names` maps msn to a name). */
function live(
  first: number,
  last: number,
  names = (msn: number) => `s${msn}.ts`,
  date?: (msn: number) => string,
) {
  const lines = ["#EXTM3U", "#EXT-X-TARGETDURATION:2", `#EXT-X-MEDIA-SEQUENCE:${first}`];
  for (let msn = first; msn <= last; msn++) {
    if (date) lines.push(`#EXT-X-PROGRAM-DATE-TIME:${date(msn)}`);
    lines.push("#EXTINF:2,", names(msn));
  }
  return indexMediaPlaylist(lines.join("\n"), 1000);
}

describe("EntryTable", () => {
  it("reports only the segments new to the window as it slides", () => {
    const table = new EntryTable(1000, "p");
    expect(table.apply(live(0, 3), BASE, 0).added.map((e) => e.url.pathname)).toEqual([
      "/live/s0.ts",
      "/live/s1.ts",
      "/live/s2.ts",
      "/live/s3.ts",
    ]);
    expect(table.apply(live(1, 4), BASE, 2000).added.map((e) => e.url.pathname)).toEqual(["/live/s4.ts"]);
    expect(table.apply(live(1, 4), BASE, 3000).added).toEqual([]);
  });

  it("keeps a segment that left the window for the grace period, then forgets it", () => {
    const table = new EntryTable(1000, "p");
    table.apply(live(0, 3), BASE, 0);
    const s0 = table.apply(live(1, 4), BASE, 2000);
    expect(s0.removed).toEqual([]);
    const key = `/live/s0.ts -`;
    expect(table.lookup(key)?.listed).toBe(false);
    expect(table.sweep(graceMs(2) - 1)).toEqual([]);
    expect(table.sweep(graceMs(2) + 1).map((e) => e.url.pathname)).toEqual(["/live/s0.ts"]);
    expect(table.lookup(key)).toBeUndefined();
  });

  it("gives a name that comes back after an absence a new digest key (its bytes may differ)", () => {
    const table = new EntryTable(1000, "p");
    const names = (msn: number) => `s${msn % 3}.ts`;
    const first = table.apply(live(0, 1, names), BASE, 0).added;
    table.apply(live(1, 2, names), BASE, 2000);
    const back = table.apply(live(2, 3, names), BASE, 4000).added;
    expect(back.map((e) => e.url.pathname)).toEqual(["/live/s0.ts"]);
    expect(back[0]!.digestKey).not.toBe(first[0]!.digestKey);
  });

  it("gives a segment a new digest key when its program date-time changes under the same name", () => {
    const table = new EntryTable(1000, "p");
    const before = table.apply(
      live(0, 0, undefined, () => "2024-01-01T00:00:00Z"),
      BASE,
      0,
    ).added[0]!;
    const after = table.apply(
      live(0, 0, undefined, () => "2024-06-01T00:00:00Z"),
      BASE,
      1,
    ).added[0]!;
    expect(after.digestKey).not.toBe(before.digestKey);
  });

  it("keeps a segment's digest key when the playlist lists it on another host (edge redirects)", () => {
    const table = new EntryTable(10, "p");
    const first = table.apply(live(0, 1), BASE, 0).added[0]!;
    const moved = table.apply(live(0, 1), new URL("https://edge2.cdn.example/live/index.m3u8"), 1);
    expect(moved.added).toEqual([]);
    expect(table.lookup("/live/s0.ts -")).toMatchObject({ digestKey: first.digestKey });
    expect(table.lookup("/live/s0.ts -")?.url.host).toBe("edge2.cdn.example");
    // Another playlist's table never shares a digest key, even for the same paths.
    expect(new EntryTable(10, "q").apply(live(0, 1), BASE, 0).added[0]!.digestKey).not.toBe(first.digestKey);
  });

  it("holds at most maxEntries, forgetting the oldest", () => {
    const table = new EntryTable(3, "p");
    const { removed } = table.apply(live(0, 4), BASE, 0);
    expect(table.size).toBe(3);
    expect(removed.map((e) => e.url.pathname)).toEqual(["/live/s0.ts", "/live/s1.ts"]);
  });
});

describe("pollDelayMs / graceMs", () => {
  it("polls at half the target duration, within 0.5-5 s", () => {
    expect(pollDelayMs(2)).toBe(1000);
    expect(pollDelayMs(0)).toBe(1000);
    expect(pollDelayMs(0.5)).toBe(500);
    expect(pollDelayMs(30)).toBe(5000);
  });

  it("keeps unlisted segments 6 target durations, at least 30 s", () => {
    expect(graceMs(2)).toBe(30_000);
    expect(graceMs(10)).toBe(60_000);
  });
});

import { describe, expect, it } from "vitest";
import { identifyStream, shorten } from "../../../demo-server/src/stats/stream-identity.js";

const known = (name: string) => name === "demo" || name === "my stream";

describe("identifyStream", () => {
  it("maps an origin URL on any host to the origin stream and mode", () => {
    for (const host of ["http://localhost:8080", "http://127.0.0.1:41234", "https://cdn.example.com"]) {
      expect(identifyStream(`${host}/streams/demo/live/master.m3u8`, known)).toEqual({
        key: "origin:demo/live",
        name: "demo/live",
        originStream: "demo",
      });
    }
    expect(identifyStream("http://h/streams/demo/vod/360p/index.m3u8", known).key).toBe("origin:demo/vod");
    expect(identifyStream("http://h/streams/my%20stream/live/master.m3u8", known).originStream).toBe(
      "my stream",
    );
  });

  it("does not compare a stream the origin does not serve with the origin's counter", () => {
    const identity = identifyStream("http://h/streams/unknown/live/master.m3u8", known);
    expect(identity).toEqual({
      key: "id:http://h/streams/unknown/live/master.m3u8",
      name: "/streams/unknown/live/master.m3u8",
      originStream: undefined,
    });
    expect(identifyStream("http://h/streams/demo/other/master.m3u8", known).originStream).toBeUndefined();
    expect(identifyStream("http://h/streams/%E0%A4%A/live/m.m3u8", known).originStream).toBeUndefined();
  });

  it("names other URLs by their path and other ids by themselves", () => {
    expect(identifyStream("https://cdn.example.com/live/ch7/master.m3u8", known).name).toBe(
      "/live/ch7/master.m3u8",
    );
    expect(identifyStream("match-42", known)).toEqual({
      key: "id:match-42",
      name: "match-42",
      originStream: undefined,
    });
    expect(identifyStream("other", known).name).toBe("other~");
  });

  it("keeps long names short, keeping their end", () => {
    const long = shorten(`/${"a".repeat(100)}/master.m3u8`);
    expect(long).toHaveLength(64);
    expect(long.startsWith("…")).toBe(true);
    expect(long.endsWith("/master.m3u8")).toBe(true);
  });
});

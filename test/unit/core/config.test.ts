import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG, mergeConfig } from "../../../sdk/src/core/config.js";
import { ConfigError } from "../../../sdk/src/core/errors.js";

describe("mergeConfig", () => {
  it("fills every key from the defaults", () => {
    expect(mergeConfig()).toEqual(DEFAULT_CONFIG);
    expect(mergeConfig({})).toEqual(DEFAULT_CONFIG);
  });

  it("keeps the page's values and ignores explicit undefined", () => {
    const config = mergeConfig({ maxPeers: 3, trackerUrls: ["wss://t.example/tracker"], region: undefined });
    expect(config.maxPeers).toBe(3);
    expect(config.trackerUrls).toEqual(["wss://t.example/tracker"]);
    expect(config.storeMaxBytes).toBe(DEFAULT_CONFIG.storeMaxBytes);
  });

  it("does not share the tracker list with the caller or the defaults", () => {
    const urls = ["ws://a/tracker"];
    const config = mergeConfig({ trackerUrls: urls });
    urls.push("ws://b/tracker");
    expect(config.trackerUrls).toEqual(["ws://a/tracker"]);
    expect(DEFAULT_CONFIG.trackerUrls).toEqual([]);
  });

  it.each([
    [{ maxPeers: -1 }, /maxPeers must be a number from 0 to 100/],
    [
      { p2pStallTimeoutMs: "1500" },
      /p2pStallTimeoutMs must be a number from 100 to 60000, got the string "1500"/,
    ],
    [{ maxPeers: 2.5 }, /maxPeers must be an integer/],
    [{ storeMaxBytes: 10 }, /storeMaxBytes/],
    [{ httpSafetyMarginMs: Number.NaN }, /httpSafetyMarginMs/],
    [{ p2pEnabled: "yes" }, /p2pEnabled must be true or false/],
    [{ trackerUrls: ["http://x/tracker"] }, /ws:\/\/ or wss:\/\//],
    [{ statsUrl: "ftp://x" }, /statsUrl/],
    [{ region: "x".repeat(33) }, /region must be at most 32/],
    [{ streamId: "" }, /streamId must be a non-empty string/],
    [{ maxPeer: 3 }, /unknown config key "maxPeer"/],
  ])("rejects %j with a message naming the key", (input, message) => {
    expect(() => mergeConfig(input as never)).toThrow(ConfigError);
    expect(() => mergeConfig(input as never)).toThrow(message);
  });
});

import { encode } from "@jridgewell/sourcemap-codec";
import { describe, expect, it } from "vitest";
import {
  attributeProfile,
  sdkFileKey,
  sourceCategory,
  sourceResolver,
  type CpuProfileLike,
} from "../../../bench/browser/cpu-profile.js";

// A one-line bundle: columns 0-99 come from the SDK's scheduler, 100-199 from hls.js, 200+ unmapped.
const map = {
  sources: ["../../../sdk/src/core/scheduler.ts", "../../../node_modules/hls.js/dist/hls.mjs"],
  mappings: encode([[[0, 0, 10, 0], [100, 1, 500, 2], [200]]]),
};

describe("sourceResolver", () => {
  it("maps a generated position to the source of the last segment at or before it", () => {
    const resolve = sourceResolver(map);
    expect(resolve(0, 0)).toBe(map.sources[0]);
    expect(resolve(0, 99)).toBe(map.sources[0]);
    expect(resolve(0, 100)).toBe(map.sources[1]);
    expect(resolve(0, 150)).toBe(map.sources[1]);
    expect(resolve(0, 250)).toBeNull(); // a segment without a source
    expect(resolve(3, 0)).toBeNull(); // no such line
  });
});

describe("source categories", () => {
  it("tells the SDK, hls.js and p2p-media-loader apart", () => {
    expect(sourceCategory("../../../sdk/src/p2p/peer.ts")).toBe("sdk");
    expect(sourceCategory("../../../node_modules/hls.js/dist/hls.mjs")).toBe("hls.js");
    expect(sourceCategory("../../../node_modules/p2p-media-loader-core/dist/x.js")).toBe("p2p-media-loader");
    expect(sourceCategory("../src/shell.ts")).toBe("other");
    expect(sourceCategory("../../bench/pages/src/shell.ts")).toBe("bench page");
    expect(sdkFileKey("..\\..\\sdk\\src\\core\\scheduler.ts")).toBe("sdk/src/core/scheduler.ts");
    expect(sdkFileKey("../node_modules/hls.js/dist/hls.mjs")).toBe("hls.js");
  });
});

describe("attributeProfile", () => {
  const frame = (functionName: string, url: string, columnNumber: number) => ({
    functionName,
    url,
    lineNumber: 0,
    columnNumber,
  });
  const profile: CpuProfileLike = {
    nodes: [
      { id: 1, callFrame: frame("(root)", "", -1) },
      { id: 2, callFrame: frame("schedule", "http://127.0.0.1:1/dist/nearcast.js", 20) },
      { id: 3, callFrame: frame("remux", "http://127.0.0.1:1/dist/nearcast.js?v=1", 120) },
      { id: 4, callFrame: frame("(garbage collector)", "", -1) },
      { id: 5, callFrame: frame("inline", "http://127.0.0.1:1/", 5) },
      { id: 6, callFrame: frame("anon", "http://127.0.0.1:1/dist/nearcast.js", 250) },
    ],
    // Each delta is the time since the previous sample and is charged to that previous sample.
    samples: [2, 2, 3, 4, 5, 6, 1],
    timeDeltas: [0, 1000, 2000, 3000, 500, 700, 4000],
  };

  it("charges each sample interval to the frame on top of the stack, in ms", () => {
    expect(attributeProfile(profile, "dist/nearcast.js", sourceResolver(map))).toEqual({
      sdk: 3, // 1 + 2
      "hls.js": 3,
      "(garbage collector)": 0.5,
      other: 0.7 + 4, // the inline page script, then the unmapped bundle position
    });
  });

  it("can key by SDK file and survives an empty or partial profile", () => {
    expect(
      attributeProfile(profile, "dist/nearcast.js", sourceResolver(map), sdkFileKey)[
        "sdk/src/core/scheduler.ts"
      ],
    ).toBe(3);
    expect(attributeProfile({ nodes: [] }, "dist/nearcast.js", sourceResolver(map))).toEqual({});
    expect(
      attributeProfile({ nodes: profile.nodes, samples: [2, 99], timeDeltas: [0] }, "x", sourceResolver(map)),
    ).toEqual({});
  });
});

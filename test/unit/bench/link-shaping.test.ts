import { describe, expect, it } from "vitest";
import { tbfParameters, tcArgs } from "../../support/netns/link-shaping.js";

describe("link shaping (tc tbf arguments)", () => {
  it("sizes the bucket at 10 ms of the rate (at least 4 KiB) and the queue at 150 ms (at least 16 KiB)", () => {
    expect(tbfParameters(700)).toEqual({ bytesPerSec: 87_500, burstBytes: 4096, limitBytes: 16_384 + 4096 });
    expect(tbfParameters(20_000)).toEqual({
      bytesPerSec: 2_500_000,
      burstBytes: 25_000,
      limitBytes: 375_000 + 25_000,
    });
    expect(() => tbfParameters(0)).toThrow(RangeError);
    expect(() => tbfParameters(Number.NaN)).toThrow(RangeError);
  });

  it("replaces the root qdisc for a rate (so a rate changes mid-run), deletes it for 0 only if it is there", () => {
    expect(tcArgs("eth0", { kbps: 700 }, false)).toEqual([
      ...["qdisc", "replace", "dev", "eth0", "root", "tbf", "rate", "700000bit"],
      ...["burst", "4096", "limit", "20480"],
    ]);
    expect(tcArgs("p3", { kbps: 0 }, true)).toEqual(["qdisc", "del", "dev", "p3", "root"]);
    expect(tcArgs("p3", { kbps: 0 }, false)).toBeUndefined();
  });
});

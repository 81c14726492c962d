import { describe, expect, it } from "vitest";
import {
  contentRangeHeader,
  parseRangeHeader,
  unsatisfiedRangeHeader,
} from "../../../demo-server/src/origin/range.js";

describe("parseRangeHeader", () => {
  const size = 1000;

  it("serves the whole file without a Range header", () => {
    expect(parseRangeHeader(undefined, size)).toEqual({ kind: "full" });
  });

  it.each([
    ["bytes=0-99", 0, 99],
    ["bytes=100-", 100, 999],
    ["bytes=990-2000", 990, 999],
    ["bytes=-10", 990, 999],
    ["bytes=-5000", 0, 999],
    ["bytes=999-999", 999, 999],
    ["BYTES = 5 - 6", 5, 6],
  ])("%s → bytes %i-%i", (header, start, end) => {
    expect(parseRangeHeader(header, size)).toEqual({ kind: "partial", start, end });
  });

  it.each(["bytes=1000-", "bytes=1000-1001", "bytes=-0"])("%s is unsatisfiable", (header) => {
    expect(parseRangeHeader(header, size)).toEqual({ kind: "unsatisfiable" });
  });

  it("treats any range of an empty file as unsatisfiable", () => {
    expect(parseRangeHeader("bytes=0-", 0)).toEqual({ kind: "unsatisfiable" });
    expect(parseRangeHeader("bytes=-1", 0)).toEqual({ kind: "unsatisfiable" });
  });

  it.each(["bytes=0-1,5-6", "items=0-1", "bytes=5-1", "bytes=-", "bytes=a-b", "bytes=0x10-", "garbage", ""])(
    "ignores %j and serves the whole file",
    (header) => {
      expect(parseRangeHeader(header, size)).toEqual({ kind: "full" });
    },
  );

  it("ignores numbers beyond the safe integer range", () => {
    expect(parseRangeHeader("bytes=99999999999999999999-", size)).toEqual({ kind: "full" });
  });
});

describe("Content-Range", () => {
  it("formats satisfied and unsatisfied ranges", () => {
    expect(contentRangeHeader(0, 99, 1000)).toBe("bytes 0-99/1000");
    expect(unsatisfiedRangeHeader(1000)).toBe("bytes */1000");
  });
});

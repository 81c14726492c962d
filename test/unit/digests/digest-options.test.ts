import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_DIGEST_OPTIONS,
  resolveDigestOptions,
} from "../../../demo-server/src/digests/digest-options.js";
import { originHeaderTable } from "../../../demo-server/src/digests/origin-headers.js";

describe("resolveDigestOptions", () => {
  it("fills defaults: served from 100 viewers, the cost rule's threshold", () => {
    expect(resolveDigestOptions({})).toEqual(DEFAULT_DIGEST_OPTIONS);
    expect(DEFAULT_DIGEST_OPTIONS.minSwarmSize).toBe(100);
    expect(resolveDigestOptions({ minSwarmSize: 0, maxWaitMs: undefined }).maxWaitMs).toBe(2000);
  });

  it("rejects impossible values with the option's name", () => {
    expect(() => resolveDigestOptions({ minSwarmSize: -1 })).toThrow(/minSwarmSize/);
    expect(() => resolveDigestOptions({ maxConcurrentFetches: 0 })).toThrow(/maxConcurrentFetches/);
    expect(() => resolveDigestOptions({ firstByteTimeoutMs: 5000, fetchTimeoutMs: 1000 })).toThrow(
      /fetchTimeoutMs/,
    );
    expect(() => resolveDigestOptions({ ipRateLimit: { perSec: 0, burst: 1 } })).toThrow(/ipRateLimit/);
  });
});

describe("originHeaderTable", () => {
  it("merges options and file by normalised origin", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "nc-digest-headers-"));
    const file = path.join(dir, "headers.json");
    writeFileSync(file, JSON.stringify({ "https://CDN.example": { Authorization: "Bearer s" } }));
    const table = originHeaderTable({ "https://cdn.example/": { "X-Key": "k" } }, file);
    expect(table.get("https://cdn.example")).toEqual({ "X-Key": "k", Authorization: "Bearer s" });
  });

  it("refuses header injection, reserved headers, non-origins and unreadable files", () => {
    expect(() => originHeaderTable({ "https://a.example": { "X-K": "a\r\nHost: b" } }, undefined)).toThrow(
      RangeError,
    );
    expect(() => originHeaderTable({ "https://a.example": { Range: "bytes=0-" } }, undefined)).toThrow(
      RangeError,
    );
    expect(() => originHeaderTable({ "https://a.example/path": { "X-K": "v" } }, undefined)).toThrow(
      RangeError,
    );
    expect(() => originHeaderTable({}, "/nonexistent/headers.json")).toThrow(RangeError);
  });
});

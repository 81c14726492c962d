import { describe, expect, it } from "vitest";
import { MAX_RENDITIONS_PER_REPORT, MAX_REPORTS_PER_BATCH } from "../../../sdk/src/core/report-types.js";
import { formatPath, validateReportBatch } from "../../../demo-server/src/stats/report-schema.js";
import type { ReportRefusal } from "../../../demo-server/src/net/refusal-reasons.js";
import { batch, report } from "./fixtures.js";

/** A valid batch as plain JSON-like data, to be broken one field at a time. */
function body(): Record<string, unknown> {
  return JSON.parse(JSON.stringify(batch(report()))) as Record<string, unknown>;
}

function firstReport(data: Record<string, unknown>): Record<string, unknown> {
  return (data["reports"] as Record<string, unknown>[])[0] as Record<string, unknown>;
}

type Case = [
  description: string,
  mutate: (data: Record<string, unknown>) => unknown,
  field: string,
  reason: ReportRefusal,
  message: RegExp,
];

const setReport = (key: string, value: unknown) => (data: Record<string, unknown>) => {
  firstReport(data)[key] = value;
  return data;
};
const setDelta = (key: string, value: unknown) => (data: Record<string, unknown>) => {
  (firstReport(data)["deltas"] as Record<string, unknown>)[key] = value;
  return data;
};
const setRendition = (key: string, value: unknown) => (data: Record<string, unknown>) => {
  ((firstReport(data)["renditions"] as Record<string, unknown>[])[0] as Record<string, unknown>)[key] = value;
  return data;
};

const cases: Case[] = [
  ["a body that is an array", () => [], "body", "bad_shape", /expected object/],
  ["a body that is null", () => null, "body", "bad_shape", /expected object/],
  ["a missing version", (d) => ({ ...d, v: undefined }), "v", "unsupported_version", /is required/],
  ["version 2", (d) => ({ ...d, v: 2 }), "v", "unsupported_version", /unsupported report version 2/],
  ["reports that is an object", (d) => ({ ...d, reports: {} }), "reports", "bad_shape", /expected array/],
  ["an empty batch", (d) => ({ ...d, reports: [] }), "reports", "too_many_reports", /1–20 reports, got 0/],
  [
    "too many reports",
    (d) => ({
      ...d,
      reports: Array.from({ length: MAX_REPORTS_PER_BATCH + 1 }, (_, i) => report({ seq: i + 1 })),
    }),
    "reports",
    "too_many_reports",
    /got 21/,
  ],
  [
    "too many renditions",
    setReport(
      "renditions",
      Array.from({ length: MAX_RENDITIONS_PER_REPORT + 1 }, (_, i) => ({
        rendition: `r${i}`,
        httpBytes: 0,
        p2pBytes: 0,
        uploadedBytes: 0,
      })),
    ),
    "reports[0].renditions",
    "too_many_renditions",
    /at most 16 renditions per report, got 17/,
  ],
  [
    "a short clientId",
    setReport("clientId", "abc"),
    "reports[0].clientId",
    "bad_client_id",
    /8–64 characters.*got "abc"/,
  ],
  ["a long clientId", setReport("clientId", "a".repeat(65)), "reports[0].clientId", "bad_client_id", /8–64/],
  [
    "a clientId with a space",
    setReport("clientId", "client 0001"),
    "reports[0].clientId",
    "bad_client_id",
    /A-Za-z0-9_-/,
  ],
  [
    "a numeric clientId",
    setReport("clientId", 12345678),
    "reports[0].clientId",
    "bad_client_id",
    /got 12345678/,
  ],
  [
    "a missing clientId",
    setReport("clientId", undefined),
    "reports[0].clientId",
    "bad_client_id",
    /is required/,
  ],
  ["an empty streamId", setReport("streamId", ""), "reports[0].streamId", "bad_name", /1–2048 characters/],
  [
    "a 2049-char streamId",
    setReport("streamId", `http://x/${"a".repeat(2040)}`),
    "reports[0].streamId",
    "bad_name",
    /2048/,
  ],
  [
    "a streamId with a newline",
    setReport("streamId", "http://x/a\nb"),
    "reports[0].streamId",
    "bad_name",
    /control characters/,
  ],
  [
    "a 129-char rendition",
    setRendition("rendition", "r".repeat(129)),
    "reports[0].renditions[0].rendition",
    "bad_name",
    /1–128/,
  ],
  [
    "a negative byte count",
    setDelta("httpBytes", -5),
    "reports[0].deltas.httpBytes",
    "bad_number",
    /non-negative integer, got -5/,
  ],
  [
    "a fractional byte count",
    setDelta("p2pBytes", 1.5),
    "reports[0].deltas.p2pBytes",
    "bad_number",
    /integer, got 1.5/,
  ],
  [
    "a byte count as a string",
    setDelta("uploadedBytes", "100"),
    "reports[0].deltas.uploadedBytes",
    "bad_number",
    /got "100"/,
  ],
  [
    "a NaN byte count",
    setDelta("httpBytes", Number.NaN),
    "reports[0].deltas.httpBytes",
    "bad_number",
    /non-negative integer/,
  ],
  [
    "an infinite byte count",
    setDelta("httpBytes", Number.POSITIVE_INFINITY),
    "reports[0].deltas.httpBytes",
    "bad_number",
    /non-negative/,
  ],
  ["a null byte count", setDelta("httpBytes", null), "reports[0].deltas.httpBytes", "bad_number", /got null/],
  [
    "a missing byte count",
    setDelta("p2pBytes", undefined),
    "reports[0].deltas.p2pBytes",
    "bad_number",
    /is required/,
  ],
  [
    "3 GiB in one report",
    setDelta("httpBytes", 3 * 1024 ** 3),
    "reports[0].deltas.httpBytes",
    "implausible_value",
    /3221225472 is implausibly large \(at most 2147483648\)/,
  ],
  [
    "a byte count beyond 2^53",
    setDelta("p2pBytes", 2 ** 60),
    "reports[0].deltas.p2pBytes",
    "implausible_value",
    /implausibly large/,
  ],
  [
    "absurd rendition bytes",
    setRendition("p2pBytes", 1e12),
    "reports[0].renditions[0].p2pBytes",
    "implausible_value",
    /implausibly/,
  ],
  [
    "1001 peers",
    setReport("peers", 1001),
    "reports[0].peers",
    "implausible_value",
    /1001 is implausibly large \(at most 1000\)/,
  ],
  ["negative peers", setReport("peers", -1), "reports[0].peers", "bad_number", /non-negative integer/],
  ["seq 0", setReport("seq", 0), "reports[0].seq", "bad_number", /positive integer, got 0/],
  ["a string seq", setReport("seq", "7"), "reports[0].seq", "bad_number", /got "7"/],
  [
    "a negative sentAtMs",
    setReport("sentAtMs", -1),
    "reports[0].sentAtMs",
    "bad_number",
    /non-negative number/,
  ],
  ["final as a string", setReport("final", "true"), "reports[0].final", "bad_shape", /expected boolean/],
  ["missing deltas", setReport("deltas", undefined), "reports[0].deltas", "bad_shape", /is required/],
  [
    "renditions that is not an array",
    setReport("renditions", "x"),
    "reports[0].renditions",
    "bad_shape",
    /expected array/,
  ],
];

describe("validateReportBatch", () => {
  it("accepts a valid batch and ignores unknown fields", () => {
    const data = body();
    firstReport(data)["futureField"] = { anything: true };
    const result = validateReportBatch({ ...data, extra: 1 });
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.batch.reports[0]?.deltas.p2pBytes).toBe(3000);
      expect(result.batch.reports[0]).not.toHaveProperty("futureField");
    }
  });

  it("accepts boundary values: zero bytes, 2 GiB, 1000 peers, 8 and 64 char clientIds", () => {
    const edge = batch(
      report({
        clientId: "a".repeat(8),
        deltas: { httpBytes: 0, p2pBytes: 2 * 1024 ** 3, uploadedBytes: 0 },
        renditions: [],
        peers: 1000,
      }),
      report({ clientId: "Z_-9".repeat(16), seq: 2, final: true }),
    );
    expect(validateReportBatch(edge).ok).toBe(true);
  });

  it.each(cases)("rejects %s, naming the field", (_description, mutate, field, reason, message) => {
    const result = validateReportBatch(mutate(body()));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.field).toBe(field);
    expect(result.reason).toBe(reason);
    expect(result.message.startsWith(`${field}: `), result.message).toBe(true);
    expect(result.message).toMatch(message);
  });

  it("names the report's index when a later report of the batch is bad", () => {
    const data = batch(report(), report({ seq: 2 }), report({ seq: 3, peers: -3 }));
    const result = validateReportBatch(data);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.field).toBe("reports[2].peers");
  });

  it("keeps echoed values short", () => {
    const result = validateReportBatch(setReport("clientId", "x".repeat(5000))(body()));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message.length).toBeLessThan(160);
  });
});

describe("formatPath", () => {
  it("writes paths as a reader would type them", () => {
    expect(formatPath([])).toBe("body");
    expect(formatPath(["reports", 3, "deltas", "httpBytes"])).toBe("reports[3].deltas.httpBytes");
  });

  it("accepts integrityFailures when present and rejects impossible counts", () => {
    expect(validateReportBatch(batch(report({ integrityFailures: 3 }))).ok).toBe(true);
    for (const bad of [-1, 1.5, "2", 1e9]) {
      const result = validateReportBatch(batch(report({ integrityFailures: bad as number })));
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.field).toBe("reports[0].integrityFailures");
    }
  });
});

// Boundary validation of `POST /api/stats/report` bodies: the contract of
// sdk/src/core/report-types.ts plus plausibility caps. A batch is valid as a whole or rejected as a
// whole, with one message naming the first offending field (`reports[2].deltas.httpBytes: …`).
import { z } from "zod";
import {
  MAX_RENDITIONS_PER_REPORT,
  MAX_REPORTS_PER_BATCH,
  MAX_TRANSFERS_PER_RENDITION,
  REPORT_VERSION,
  type StatsReportBatch,
} from "nearcast";
import {
  CLIENT_ID_PATTERN,
  MAX_RENDITION_CHARS,
  MAX_REPORT_BYTES,
  MAX_REPORTED_INTEGRITY_FAILURES,
  MAX_REPORTED_PEERS,
  MAX_STREAM_ID_CHARS,
} from "./constants.js";
import type { ReportRefusal } from "../net/refusal-reasons.js";
import { MAX_SESSION_CHARS } from "../net/session-token.js";

/** Printable text: control characters have no place in a URL or a rendition key, and break logs. */
// eslint-disable-next-line no-control-regex
const NO_CONTROL_CHARS = /^[^\u0000-\u001f\u007f]*$/;

const byteCount = z.number().int().min(0).max(MAX_REPORT_BYTES);
const deltas = { httpBytes: byteCount, p2pBytes: byteCount, uploadedBytes: byteCount };
const transferSchema = z.object({
  peer: z.string().regex(/^[0-9a-f]{40}$/),
  receivedBytes: byteCount,
  sentBytes: byteCount,
});

// Unknown keys are ignored (stripped), so a newer SDK may add fields without breaking older servers.
const reportSchema = z.object({
  clientId: z.string().regex(CLIENT_ID_PATTERN),
  seq: z.number().int().min(1),
  streamId: z.string().min(1).max(MAX_STREAM_ID_CHARS).regex(NO_CONTROL_CHARS),
  sentAtMs: z.number().min(0).max(8.64e15),
  deltas: z.object(deltas),
  renditions: z
    .array(
      z.object({
        rendition: z.string().min(1).max(MAX_RENDITION_CHARS).regex(NO_CONTROL_CHARS),
        ...deltas,
        transfers: z.array(transferSchema).max(MAX_TRANSFERS_PER_RENDITION).optional(),
      }),
    )
    .max(MAX_RENDITIONS_PER_REPORT),
  integrityFailures: z.number().int().min(0).max(MAX_REPORTED_INTEGRITY_FAILURES).optional(),
  peers: z.number().int().min(0).max(MAX_REPORTED_PEERS),
  final: z.boolean(),
});

const batchSchema = z.object({
  v: z.literal(REPORT_VERSION),
  session: z.string().min(1).max(MAX_SESSION_CHARS).optional(),
  reports: z.array(reportSchema).min(1).max(MAX_REPORTS_PER_BATCH),
});

export type ValidationResult =
  | { ok: true; batch: StatsReportBatch }
  | { ok: false; reason: ReportRefusal; field: string; message: string };

/** Validates a parsed JSON body. Never throws. */
export function validateReportBatch(body: unknown): ValidationResult {
  const result = batchSchema.safeParse(body, { reportInput: true });
  if (result.success) return { ok: true, batch: result.data };
  const issue = result.error.issues[0];
  if (issue === undefined) return { ok: false, reason: "bad_shape", field: "body", message: "body: invalid" };
  const field = formatPath(issue.path);
  return { ok: false, reason: reasonOf(issue), field, message: `${field}: ${describeIssue(issue)}` };
}

type Issue = z.core.$ZodIssue;

const COUNT_FIELDS = new Set([
  "seq",
  "sentAtMs",
  "httpBytes",
  "p2pBytes",
  "uploadedBytes",
  "integrityFailures",
  "peers",
  "receivedBytes",
  "sentBytes",
]);

function reasonOf(issue: Issue): ReportRefusal {
  const key = issue.path[issue.path.length - 1];
  if (issue.path.length === 1 && key === "v") return "unsupported_version";
  if (key === "reports" && (issue.code === "too_big" || issue.code === "too_small"))
    return "too_many_reports";
  if (key === "renditions" && issue.code === "too_big") return "too_many_renditions";
  if (key === "clientId") return "bad_client_id";
  if (key === "streamId" || key === "rendition") return "bad_name";
  if (typeof key === "string" && COUNT_FIELDS.has(key)) {
    return issue.code === "too_big" && typeof issue.input === "number" ? "implausible_value" : "bad_number";
  }
  return "bad_shape";
}

function describeIssue(issue: Issue): string {
  const key = issue.path[issue.path.length - 1];
  const got = `got ${describeValue(issue.input)}`;
  if (issue.input === undefined) return "is required";
  if (issue.path.length === 1 && key === "v") {
    return `unsupported report version ${describeValue(issue.input)} (this server reads ${REPORT_VERSION})`;
  }
  if (key === "clientId") return `must be 8–64 characters of [A-Za-z0-9_-], ${got}`;
  if (key === "streamId" || key === "rendition") {
    const max = key === "streamId" ? MAX_STREAM_ID_CHARS : MAX_RENDITION_CHARS;
    return `must be a string of 1–${max} characters without control characters, ${got}`;
  }
  if (key === "reports" && (issue.code === "too_big" || issue.code === "too_small")) {
    return `must hold 1–${MAX_REPORTS_PER_BATCH} reports, got ${countOf(issue.input)}`;
  }
  if (key === "renditions" && issue.code === "too_big") {
    return `at most ${MAX_RENDITIONS_PER_REPORT} renditions per report, got ${countOf(issue.input)}`;
  }
  if (typeof key === "string" && COUNT_FIELDS.has(key)) {
    if (issue.code === "too_big" && typeof issue.input === "number") {
      return `${issue.input} is implausibly large (at most ${String(issue.maximum)})`;
    }
    const integer = key === "sentAtMs" ? "number" : "integer";
    const min = key === "seq" ? "positive" : "non-negative";
    return `must be a ${min} ${integer}, ${got}`;
  }
  if (issue.code === "invalid_type") return `expected ${issue.expected}, ${got}`;
  return issue.message;
}

/** `["reports", 0, "deltas", "httpBytes"]` → `reports[0].deltas.httpBytes`; `[]` → `body`. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "body";
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** A short, safe rendering of a received value for an error message. */
function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "object") return "an object";
  const text = typeof value === "string" ? JSON.stringify(value) : String(value);
  return text.length > 48 ? `${text.slice(0, 45)}…` : text;
}

function countOf(value: unknown): string {
  return Array.isArray(value) ? String(value.length) : describeValue(value);
}

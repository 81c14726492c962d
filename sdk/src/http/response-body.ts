// What an HTTP response promises about its body (sdk/src/http/http-fetcher.ts): the bytes to skip,
// the bytes it must deliver, and what vouches for that length. A body that breaks the promise is
// refused (HttpBodyError): it is never stored, never shared, and the load fails like a failed request.
import type { LengthEvidence } from "../core/copy-confirmation.js";
import { HttpBodyError } from "../core/errors.js";
import type { ByteRange } from "../core/types.js";

/** What a response's status and headers say its body holds, for a request of `range`. */
export interface BodyExpectation {
  /** Leading bytes to drop: a server that ignores Range answers 200 with the whole resource. */
  skip: number;
  /** Bytes of the requested range wanted (the range has an end); the rest of the body is dropped. */
  wanted: number | undefined;
  /** Bytes the body holds after `skip`, as the response states it (Content-Length, Content-Range). */
  stated: number | undefined;
  /** Size of the whole resource, where the response states it (Content-Range total, a 200's length). */
  resourceLength: number | undefined;
  evidence: LengthEvidence;
}

/**
 * Reads the promise of a response to a request for `range` (none: the whole resource). With
 * `rangeMayPassEnd` the range may reach past the resource's end (a probe of its last bytes), so a
 * shorter answer is not an error. Content-Length is ignored when a Content-Encoding other than
 * identity is visible: it then counts encoded bytes, not the body's.
 * @throws HttpBodyError `range-mismatch` for a Content-Range that is malformed or starts elsewhere
 *   than asked, `length-mismatch` for headers that contradict each other.
 */
export function expectBody(
  response: Response,
  range: ByteRange | undefined,
  url: string,
  rangeMayPassEnd = false,
): BodyExpectation {
  const status = response.status;
  const encoding = response.headers.get("content-encoding")?.trim().toLowerCase();
  const contentLength =
    encoding && encoding !== "identity" ? undefined : count(response.headers.get("content-length"));
  const wanted = range?.end !== undefined ? range.end - range.start : undefined;
  const refuse = (message: string, reason: "range-mismatch" | "length-mismatch") =>
    new HttpBodyError(`${message} for ${url}`, status, reason);

  if (status !== 206) {
    // A 200 is the whole resource: drop what comes before the range.
    const skip = range?.start ?? 0;
    if (contentLength !== undefined && contentLength < skip) {
      throw refuse(`whole resource of ${contentLength} bytes, range starts at ${skip}`, "length-mismatch");
    }
    const stated = contentLength !== undefined ? contentLength - skip : undefined;
    return {
      skip,
      wanted,
      stated,
      resourceLength: contentLength,
      evidence: evidenceOf(wanted, stated, undefined),
    };
  }
  const header = response.headers.get("content-range");
  // Cross-origin, Content-Range is visible only when the server exposes it: then only the length checks.
  if (header === null)
    return {
      skip: 0,
      wanted,
      stated: contentLength,
      resourceLength: undefined,
      evidence: evidenceOf(wanted, contentLength, undefined),
    };
  const parsed = parseContentRange(header);
  if (!parsed) throw refuse(`malformed Content-Range "${header.slice(0, 60)}"`, "range-mismatch");
  const askedStart = range?.start ?? 0;
  if (parsed.start !== askedStart)
    throw refuse(`Content-Range ${header} for bytes from ${askedStart}`, "range-mismatch");
  const part = parsed.end + 1 - parsed.start;
  if (contentLength !== undefined && contentLength !== part) {
    throw refuse(`Content-Length ${contentLength} for Content-Range ${header}`, "length-mismatch");
  }
  if (wanted !== undefined && part < wanted && !rangeMayPassEnd) {
    throw refuse(`Content-Range ${header} is short of the ${wanted} bytes asked for`, "range-mismatch");
  }
  return {
    skip: 0,
    wanted,
    stated: part,
    resourceLength: parsed.total,
    evidence: evidenceOf(wanted, part, parsed.total),
  };
}

/**
 * Checks a body as it arrives: `loaded` bytes handed on so far, `next` more about to be. Throws
 * HttpBodyError `length-mismatch` for a body longer than stated.
 */
export function checkBodyGrowth(
  expect: BodyExpectation,
  loaded: number,
  next: number,
  url: string,
  status: number,
): void {
  if (expect.wanted === undefined && expect.stated !== undefined && loaded + next > expect.stated) {
    throw new HttpBodyError(
      `body longer than the ${expect.stated} bytes stated for ${url}`,
      status,
      "length-mismatch",
    );
  }
}

/** Checks a body that ended: throws HttpBodyError `length-mismatch` when it is short of what was promised. */
export function checkBodyEnd(
  expect: BodyExpectation,
  loaded: number,
  url: string,
  status: number,
  rangeMayPassEnd = false,
): void {
  const { wanted, stated } = expect;
  // A range that may pass the resource's end promises only what the response states of it.
  const promised = rangeMayPassEnd
    ? stated !== undefined
      ? Math.min(stated, wanted ?? stated)
      : undefined
    : (wanted ?? stated);
  if (promised !== undefined && loaded < promised) {
    throw new HttpBodyError(
      `short body for ${url}: ${loaded} of ${promised} bytes`,
      status,
      "length-mismatch",
    );
  }
}

/** `bytes start-end/total` (RFC 9110 §14.4) with end inclusive; total undefined for `*`. */
export function parseContentRange(
  header: string,
): { start: number; end: number; total: number | undefined } | undefined {
  const match = /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(header);
  if (!match) return undefined;
  const start = Number(match[1]);
  const end = Number(match[2]);
  const total = match[3] === "*" ? undefined : Number(match[3]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) return undefined;
  if (total !== undefined && (!Number.isSafeInteger(total) || end >= total)) return undefined;
  return { start, end, total };
}

function evidenceOf(
  wanted: number | undefined,
  stated: number | undefined,
  total: number | undefined,
): LengthEvidence {
  if (wanted !== undefined) return "byte-range";
  if (total !== undefined) return "content-range";
  return stated !== undefined ? "content-length" : "none";
}

/** A non-negative integer header value, or undefined. */
function count(value: string | null): number | undefined {
  if (value === null || !/^\s*\d+\s*$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

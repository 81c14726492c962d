// `Range` request header parsing (RFC 9110 §14). Single byte ranges only: a multi-range or malformed
// header is ignored and the whole file served with 200, which the RFC allows and every player accepts.

export type RangeDecision =
  /** No usable Range header: send the whole representation (200). */
  | { kind: "full" }
  /** Send bytes start…end inclusive (206). */
  | { kind: "partial"; start: number; end: number }
  /** No byte of the range exists (416 with `Content-Range: bytes *\/size`). */
  | { kind: "unsatisfiable" };

const SINGLE_RANGE = /^bytes[ \t]*=[ \t]*(\d*)[ \t]*-[ \t]*(\d*)[ \t]*$/i;

export function parseRangeHeader(header: string | undefined, sizeBytes: number): RangeDecision {
  if (header === undefined) return { kind: "full" };
  const match = SINGLE_RANGE.exec(header.trim());
  if (match === null) return { kind: "full" };
  const [, firstText = "", lastText = ""] = match;
  if (firstText === "" && lastText === "") return { kind: "full" };

  if (firstText === "") {
    // Suffix range: the last N bytes.
    const suffixLength = Number(lastText);
    if (!Number.isSafeInteger(suffixLength)) return { kind: "full" };
    if (suffixLength === 0 || sizeBytes === 0) return { kind: "unsatisfiable" };
    return { kind: "partial", start: Math.max(0, sizeBytes - suffixLength), end: sizeBytes - 1 };
  }

  const start = Number(firstText);
  const last = lastText === "" ? Infinity : Number(lastText);
  if (!Number.isSafeInteger(start) || (lastText !== "" && !Number.isSafeInteger(last)))
    return { kind: "full" };
  if (last < start) return { kind: "full" };
  if (start >= sizeBytes) return { kind: "unsatisfiable" };
  return { kind: "partial", start, end: Math.min(last, sizeBytes - 1) };
}

export function contentRangeHeader(start: number, end: number, sizeBytes: number): string {
  return `bytes ${start}-${end}/${sizeBytes}`;
}

export function unsatisfiedRangeHeader(sizeBytes: number): string {
  return `bytes */${sizeBytes}`;
}

// CDN spot checks: the trust ladder's rung for swarms the digest service leaves alone (small swarms)
// and origins that publish no digest. A few small random byte ranges of the segment, and its tail,
// fetched by Range from the origin while the peer transfer runs, then compared with the peer's bytes.
//
// What it catches: a peer that corrupts most of what it sends (a vandal flipping bytes — any sample
// lands on corrupt bytes), a copy cut short or extended (the tail sample carries the origin's size,
// as Content-Range total or as a range that runs past the end), another segment's bytes. What it
// cannot: an edit of a few bytes or frames between the samples — a sample of s bytes out of L finds
// an edit of e bytes with probability about s·k/L, ~2 % for the default budget. Only a digest
// (published, the server's, or the page's validateSegment) protects against a targeted edit.
import { HttpError } from "../core/errors.js";
import type { HttpPolicy, HttpRequestSetup, SegmentRequest } from "../core/types.js";
import { httpFetch } from "../http/http-fetcher.js";
import { requestPreparer, type RequestSetupConfig } from "../http/request-setup.js";

/** The share of a segment's bytes the samples may cost, at most (tail included). */
export const SPOT_CHECK_BUDGET_RATIO = 0.02;
/** Random samples besides the tail. */
export const SPOT_CHECK_SAMPLES = 3;
/** Bytes per sample: at least this (a tiny segment is then sampled whole), at most the max. */
export const SPOT_CHECK_MIN_SAMPLE_BYTES = 256;
export const SPOT_CHECK_MAX_SAMPLE_BYTES = 4096;
/** One sample's request: first byte and whole answer within these, or the check has no verdict. */
const SAMPLE_POLICY: HttpPolicy = { firstByteTimeoutMs: 4000, totalTimeoutMs: 6000, retry: null };

/** One byte range to compare, `[start, end)` in the segment's own offsets. */
export interface SpotSample {
  start: number;
  end: number;
  /** The tail sample asks one byte past the end: an origin resource longer than the copy shows. */
  tail: boolean;
}

/**
 * The samples for a segment of `length` bytes: SPOT_CHECK_SAMPLES random ranges spread over the
 * segment (one per equal slice, so a corrupt region anywhere is likely hit) and its last bytes. Each
 * is `size` bytes, with `size` = budget / (samples + 1) clamped to the sample bounds and the length.
 * `random` returns [0, 1) (Math.random; tests pass their own).
 */
export function planSpotSamples(length: number, random: () => number = Math.random): SpotSample[] {
  if (length <= 0) return [];
  const perSample = Math.floor((length * SPOT_CHECK_BUDGET_RATIO) / (SPOT_CHECK_SAMPLES + 1));
  const size = Math.min(
    length,
    Math.max(SPOT_CHECK_MIN_SAMPLE_BYTES, Math.min(SPOT_CHECK_MAX_SAMPLE_BYTES, perSample)),
  );
  const samples: SpotSample[] = [];
  const body = length - size; // the tail covers [body, length)
  const slice = body / SPOT_CHECK_SAMPLES;
  for (let i = 0; body > 0 && i < SPOT_CHECK_SAMPLES; i++) {
    const from = Math.floor(i * slice);
    const room = Math.max(0, Math.floor(slice) - size);
    const start = Math.min(body - 1, from + Math.floor(random() * (room + 1)));
    samples.push({ start, end: Math.min(start + size, body), tail: false });
  }
  samples.push({ start: body, end: length, tail: true });
  return samples;
}

/** What one sample's origin request gave. */
export type SampleAnswer =
  | { kind: "bytes"; data: Uint8Array; resourceLength: number | undefined; bytesReceived: number }
  /** The origin answered the Range with the whole resource (200) or not at all: no verdict. */
  | { kind: "no-range"; status: number; bytesReceived: number }
  | { kind: "failed"; error: string; bytesReceived: number };

export interface SpotCheckDeps {
  config: RequestSetupConfig;
  fetchImpl?: typeof fetch;
  /** The player's own request hook for this load (hls.js `xhrSetup`/`fetchSetup`, Shaka's request). */
  playerRequestSetup?: HttpRequestSetup;
}

/**
 * Fetch one sample from the origin: `Range: bytes=start-(end-1)` (the tail one byte further), through
 * the same request hooks as the segment. A 200 (the origin ignores Range) is cut at its head, so a
 * spot check never costs a whole segment. Never rejects; an abort of `signal` answers `failed`.
 */
export async function fetchSample(
  request: SegmentRequest,
  sample: SpotSample,
  deps: SpotCheckDeps,
  signal: AbortSignal | undefined,
): Promise<SampleAnswer> {
  const base = request.byteRange?.start ?? 0;
  let refusedStatus: number | undefined;
  const fetchImpl = deps.fetchImpl ?? ((input, init) => globalThis.fetch(input, init));
  const rangeOnly: typeof fetch = async (input, init) => {
    const response = await fetchImpl(input, init);
    // 416: the resource ends before the sample (judged as a mismatch below); 206: the sample.
    if (response.status !== 206 && response.status !== 416) {
      refusedStatus = response.status;
      await response.body?.cancel().catch(() => {});
      throw new Error(`status ${response.status} to a Range request`);
    }
    return response;
  };
  // Within a byte-ranged segment, one byte past its end is another segment's: no tail probe then.
  const pastEnd = sample.tail && request.byteRange?.end === undefined ? 1 : 0;
  try {
    const result = await httpFetch(request.url, {
      range: { start: base + sample.start, end: base + sample.end + pastEnd },
      rangeMayPassEnd: pastEnd > 0,
      // The origin's bytes, not a browser cache entry (which may be a copy cut short).
      cache: "no-store",
      signal,
      policy: SAMPLE_POLICY,
      fetchImpl: rangeOnly,
      prepare: requestPreparer(request, deps.config, deps.playerRequestSetup),
    });
    return {
      kind: "bytes",
      data: result.data,
      resourceLength: result.resourceLength,
      bytesReceived: result.bytesReceived,
    };
  } catch (error) {
    if (refusedStatus !== undefined) return { kind: "no-range", status: refusedStatus, bytesReceived: 0 };
    if (error instanceof HttpError && error.status === 416)
      return { kind: "bytes", data: new Uint8Array(0), resourceLength: undefined, bytesReceived: 0 };
    return {
      kind: "failed",
      error: error instanceof Error ? error.message : String(error),
      bytesReceived: 0,
    };
  }
}

/** A spot check's verdict on a complete copy. */
export type SpotVerdict =
  | { kind: "match" }
  | { kind: "mismatch"; detail: string }
  | { kind: "no-verdict"; detail: string; noRange: boolean };

/**
 * Compare the origin's samples with the copy `data` (the segment's bytes as peers and HTTP gave
 * them). A sample that differs, or a tail that shows the origin's resource is longer or shorter,
 * refutes the copy; one that failed leaves the check without a verdict (the caller then trusts the
 * copy no more than an unverified one). `peers` is the span of the copy that came from peers: a
 * check is worth something only if some sample lies inside it.
 */
export function judgeSamples(
  data: Uint8Array,
  samples: readonly SpotSample[],
  answers: readonly SampleAnswer[],
  peers: { start: number; end: number },
  request: SegmentRequest,
): SpotVerdict {
  const length = data.byteLength;
  let checkedPeerBytes = false;
  for (let i = 0; i < samples.length; i++) {
    const sample = samples[i]!;
    const answer = answers[i]!;
    if (answer.kind === "no-range")
      return { kind: "no-verdict", detail: `the origin answered ${answer.status} to a Range`, noRange: true };
    if (answer.kind === "failed") return { kind: "no-verdict", detail: answer.error, noRange: false };
    const wanted = sample.end - sample.start;
    const origin = answer.data;
    if (sample.tail && request.byteRange?.end === undefined) {
      const base = request.byteRange?.start ?? 0;
      if (answer.resourceLength !== undefined && answer.resourceLength !== base + length)
        return {
          kind: "mismatch",
          detail: `spot check: the origin's resource is ${answer.resourceLength} bytes, the copy ${base + length}`,
        };
      if (origin.byteLength > wanted)
        return { kind: "mismatch", detail: "spot check: the origin has bytes after the copy's end" };
    }
    if (origin.byteLength < wanted)
      return {
        kind: "mismatch",
        detail: `spot check: the origin's resource ends inside bytes ${sample.start}-${sample.end}`,
      };
    for (let at = 0; at < wanted; at++) {
      if (origin[at] !== data[sample.start + at])
        return {
          kind: "mismatch",
          detail: `spot check: byte ${sample.start + at} differs from the origin's`,
        };
    }
    if (sample.start < peers.end && sample.end > peers.start) checkedPeerBytes = true;
  }
  if (!checkedPeerBytes)
    return { kind: "no-verdict", detail: "no sample fell on the peers' bytes", noRange: false };
  return { kind: "match" };
}

// CDN spot checks: which bytes they sample (bounded cost, spread over the segment, the tail always)
// and how the origin's samples judge a copy.
import { describe, expect, it } from "vitest";
import type { SegmentRequest } from "../../../sdk/src/core/types.js";
import {
  judgeSamples,
  planSpotSamples,
  SPOT_CHECK_BUDGET_RATIO,
  SPOT_CHECK_MAX_SAMPLE_BYTES,
  SPOT_CHECK_MIN_SAMPLE_BYTES,
  SPOT_CHECK_SAMPLES,
  type SampleAnswer,
} from "../../../sdk/src/verify/spot-check.js";

const request: SegmentRequest = {
  id: "s1",
  swarmKey: "k|v",
  url: "http://o/seg1.ts",
  startTimeSec: 0,
  durationSec: 2,
  live: false,
};

function bytes(n: number, seed = 7): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

/** What an honest origin holding `origin` answers for each sample (the tail asks one byte more). */
function originAnswers(origin: Uint8Array, samples: ReturnType<typeof planSpotSamples>): SampleAnswer[] {
  return samples.map((s) => ({
    kind: "bytes",
    data: origin.slice(s.start, s.end + (s.tail ? 1 : 0)),
    resourceLength: origin.byteLength,
    bytesReceived: 0,
  }));
}

describe("planSpotSamples", () => {
  it("samples each slice of the segment and its tail within the byte budget", () => {
    for (const length of [1, 100, 5_000, 126_148, 1_000_000, 4_000_000]) {
      let seed = 0.1;
      const samples = planSpotSamples(length, () => (seed = (seed * 7.3) % 1));
      const total = samples.reduce((sum, s) => sum + s.end - s.start, 0);
      const tail = samples.at(-1)!;
      expect(tail).toMatchObject({ end: length, tail: true });
      for (const s of samples) {
        expect(s.start).toBeGreaterThanOrEqual(0);
        expect(s.end).toBeLessThanOrEqual(length);
        expect(s.end).toBeGreaterThan(s.start);
      }
      const allowed = Math.max(
        (SPOT_CHECK_SAMPLES + 1) * SPOT_CHECK_MIN_SAMPLE_BYTES,
        length * SPOT_CHECK_BUDGET_RATIO,
      );
      expect(total).toBeLessThanOrEqual(Math.min(length, allowed));
      expect(total).toBeLessThanOrEqual((SPOT_CHECK_SAMPLES + 1) * SPOT_CHECK_MAX_SAMPLE_BYTES);
      if (length >= 100_000) {
        // One random sample in each third of the body, so corruption anywhere is likely hit.
        const body = length - (tail.end - tail.start);
        samples.slice(0, -1).forEach((s, i) => {
          expect(s.start).toBeGreaterThanOrEqual(Math.floor((i * body) / SPOT_CHECK_SAMPLES));
          expect(s.end).toBeLessThanOrEqual(Math.ceil(((i + 1) * body) / SPOT_CHECK_SAMPLES));
        });
      }
    }
  });
});

describe("judgeSamples", () => {
  const origin = bytes(200_000);
  const samples = planSpotSamples(origin.byteLength, () => 0.5);
  const all = { start: 0, end: origin.byteLength };

  it("an honest copy matches", () => {
    expect(judgeSamples(origin, samples, originAnswers(origin, samples), all, request)).toEqual({
      kind: "match",
    });
  });

  it("a liar flipping bytes after the first 64 of each 16 KiB frame is caught", () => {
    const lie = origin.slice();
    for (let frame = 0; frame < lie.byteLength; frame += 16_384)
      for (let i = frame + 64; i < Math.min(frame + 16_384, lie.byteLength); i++) lie[i] = lie[i]! ^ 0xff;
    const verdict = judgeSamples(lie, samples, originAnswers(origin, samples), all, request);
    expect(verdict).toMatchObject({ kind: "mismatch", detail: expect.stringMatching(/differs/) });
  });

  it("a copy cut short is caught by the tail: the origin's resource is longer", () => {
    const short = origin.slice(0, 100_000);
    const plan = planSpotSamples(short.byteLength, () => 0.5);
    const answers = originAnswers(origin, plan).map((a) => ({ ...a, resourceLength: origin.byteLength }));
    expect(judgeSamples(short, plan, answers, { start: 0, end: short.byteLength }, request)).toMatchObject({
      kind: "mismatch",
      detail: expect.stringMatching(/resource is 200000 bytes/),
    });
  });

  it("without a visible Content-Range, the byte past the copy's end shows it was cut", () => {
    const short = origin.slice(0, 100_000);
    const plan = planSpotSamples(short.byteLength, () => 0.5);
    const answers = originAnswers(origin, plan).map((a) => ({ ...a, resourceLength: undefined }));
    expect(judgeSamples(short, plan, answers, { start: 0, end: short.byteLength }, request)).toMatchObject({
      kind: "mismatch",
      detail: expect.stringMatching(/after the copy's end/),
    });
  });

  it("a copy longer than the origin's resource is caught (the origin's bytes end inside a sample)", () => {
    const long = new Uint8Array(origin.byteLength + 5_000);
    long.set(origin);
    const plan = planSpotSamples(long.byteLength, () => 0.5);
    const answers: SampleAnswer[] = plan.map((s) => ({
      kind: "bytes",
      data: origin.slice(s.start, Math.min(origin.byteLength, s.end)),
      resourceLength: undefined,
      bytesReceived: 0,
    }));
    expect(judgeSamples(long, plan, answers, { start: 0, end: long.byteLength }, request).kind).toBe(
      "mismatch",
    );
  });

  it("an origin that ignores Range or a failed sample gives no verdict, never a match", () => {
    const noRange = originAnswers(origin, samples);
    noRange[1] = { kind: "no-range", status: 200, bytesReceived: 0 };
    expect(judgeSamples(origin, samples, noRange, all, request)).toMatchObject({
      kind: "no-verdict",
      noRange: true,
    });
    const failed = originAnswers(origin, samples);
    failed[0] = { kind: "failed", error: "timeout", bytesReceived: 0 };
    expect(judgeSamples(origin, samples, failed, all, request)).toMatchObject({
      kind: "no-verdict",
      noRange: false,
    });
  });

  it("samples that missed the peers' bytes are no verdict", () => {
    // Peers gave bytes 10..20 only; no planned sample starts there.
    const verdict = judgeSamples(
      origin,
      samples,
      originAnswers(origin, samples),
      { start: 10, end: 20 },
      request,
    );
    expect(verdict).toMatchObject({ kind: "no-verdict", detail: expect.stringMatching(/no sample/) });
  });
});

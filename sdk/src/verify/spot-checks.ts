// One load's CDN spot checks (the sampling rules are in spot-check.ts): the planned samples over
// the whole copy, started as soon as a peer states the size, and — when those all miss the bytes
// peers gave — samples of the peers' span alone, started as soon as that span is final (HTTP took
// over the rest) or, at the latest, when the copy is judged.
import type { SegmentRequest } from "../core/types.js";
import {
  fetchSample,
  judgeSamples,
  planSpotSamples,
  type SampleAnswer,
  type SpotCheckDeps,
  type SpotSample,
  type SpotVerdict,
} from "./spot-check.js";

/** `[start, end)`, byte offsets in the segment. */
export interface ByteSpan {
  start: number;
  end: number;
}

export interface SpotChecksDeps extends SpotCheckDeps {
  request: SegmentRequest;
  /** Aborts the samples still in flight (the load ended). */
  signal: AbortSignal;
  /** Origin bytes one sample cost (counted as HTTP traffic). */
  spent(bytes: number): void;
  /** [0, 1); Math.random by default. */
  random?: () => number;
}

interface SampleRun extends ByteSpan {
  /** The copy's length the run was planned for. */
  length: number;
  plan: SpotSample[];
  answers: Promise<SampleAnswer[]>;
}

export class SpotChecks {
  private planned: SampleRun | undefined;
  private peerRun: SampleRun | undefined;
  /** The peers' final span, once told (samples of it wait for the planned ones to start). */
  private finalPeers: ByteSpan | undefined;

  constructor(private readonly deps: SpotChecksDeps) {}

  /** Whether the planned samples are on their way. */
  get started(): boolean {
    return this.planned !== undefined;
  }

  /** Start the planned samples for a copy of `length` bytes (once). */
  start(length: number): void {
    this.planned ??= this.run(length, { start: 0, end: length });
    this.samplePeers();
  }

  /**
   * The peers gave `peers` and will give no more: if the planned samples all miss that span, sample
   * it now (or as soon as the planned ones start), alongside the HTTP transfer of the rest, so its
   * answers are in by the verdict.
   */
  peersFinal(peers: ByteSpan): void {
    this.finalPeers = peers;
    this.samplePeers();
  }

  private samplePeers(): void {
    const planned = this.planned;
    if (!planned || !this.finalPeers || this.peerRun || this.deps.signal.aborted) return;
    const span = clip(this.finalPeers, planned.length);
    if (span.end > span.start && !hits(planned.plan, span)) this.peerRun = this.run(planned.length, span);
  }

  /** Judge the complete copy `data`, `peers` the span peers gave, waiting until `untilMs` (performance.now()). */
  async verdict(data: Uint8Array, peers: ByteSpan, untilMs: number): Promise<SpotVerdict> {
    const length = data.byteLength;
    const span = clip(peers, length);
    // Planned for a size a peer stated that the HTTP response corrected: plan again.
    if (this.planned?.length !== length) this.planned = this.run(length, { start: 0, end: length });
    let verdict = await this.judge(this.planned, data, span, untilMs);
    // A peer gave only a part, and no planned sample fell in it: judge samples of that part.
    if (verdict.kind === "no-verdict" && !verdict.noRange && verdict.detail.startsWith("no sample")) {
      const early = this.peerRun;
      const same = early?.length === length && early.start === span.start && early.end === span.end;
      verdict = await this.judge(same ? early : this.run(length, span), data, span, untilMs);
    }
    return verdict;
  }

  /** Samples over `span` of a copy of `length` bytes (the tail sample only if it ends the copy). */
  private run(length: number, span: ByteSpan): SampleRun {
    const { deps } = this;
    const plan = planSpotSamples(span.end - span.start, deps.random).map((s) => ({
      start: s.start + span.start,
      end: s.end + span.start,
      tail: s.tail && span.end === length,
    }));
    const answers = Promise.all(
      plan.map(async (s) => {
        const answer = await fetchSample(deps.request, s, deps, deps.signal);
        deps.spent(answer.kind === "bytes" ? answer.data.byteLength : 0);
        return answer;
      }),
    );
    return { ...span, length, plan, answers };
  }

  private async judge(
    run: SampleRun,
    data: Uint8Array,
    peers: ByteSpan,
    untilMs: number,
  ): Promise<SpotVerdict> {
    const answers = await within(run.answers, untilMs);
    if (!answers) return { kind: "no-verdict", detail: "no answer in time", noRange: false };
    return judgeSamples(data, run.plan, answers, peers, this.deps.request);
  }
}

function clip(span: ByteSpan, length: number): ByteSpan {
  return { start: Math.min(span.start, length), end: Math.min(span.end, length) };
}

function hits(plan: readonly SpotSample[], span: ByteSpan): boolean {
  return plan.some((s) => s.start < span.end && s.end > span.start);
}

/** `promise`'s value, or undefined when `untilMs` (performance.now()) passes first. */
export async function within<T>(promise: Promise<T>, untilMs: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, untilMs - performance.now()));
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

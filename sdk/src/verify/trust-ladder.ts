// The trust ladder: what vouches for a segment's bytes that came (partly) from peers, strongest
// first — the origin's published SHA-256, the page's validateSegment hook, the digest the operator's
// nearcast-server computed from the origin (asked with the first peer bytes, alongside the transfer),
// then CDN spot checks (spot-check.ts, started as soon as the peer states the size). A segment no rung
// vouches for is unverifiable: its peer bytes are thrown away and it comes over HTTP, unless the page
// set `allowUnverifiedPeers`. See docs/trust.md.
import type { NearcastConfig } from "../core/config.js";
import { sha256Hex, verificationProblem } from "../core/integrity.js";
import type { HttpRequestSetup, SegmentRequest, TrustRung } from "../core/types.js";
import type { DigestClient, DigestLookup } from "../http/digest-client.js";
import { ChunkVerifier, type ChunkFailure, type CutThroughTarget } from "./chunk-verifier.js";
import { SpotChecks, within } from "./spot-checks.js";

/** What the ladder says of a complete copy with bytes from peers. */
export type TrustVerdict =
  | { kind: "verified"; by: TrustRung }
  | {
      kind: "failed";
      by: TrustRung;
      reason: "digest-mismatch" | "spot-check";
      detail: string;
      /** The peers whose bytes failed, when a chunk digest tells them apart (else all who sent any). */
      culprits?: string[];
    }
  | { kind: "unverifiable"; detail: string };

/** What the ladder needs from its engine. */
export interface TrustLadderDeps {
  config: Pick<NearcastConfig, "validateSegment" | "httpHeaders" | "httpCredentials" | "httpRequestSetup">;
  fetchImpl?: typeof fetch;
  /** The digest service's client; undefined when no tracker names one. */
  digests: DigestClient | undefined;
  /** This viewer's tracker peer id and session, for digest asks; undefined while P2P is off. */
  viewer(): { peerId: string; session?: string } | undefined;
  /** Origin bytes spot checks cost (counted as HTTP traffic: the origin serves them). */
  spotCheckBytes(swarmKey: string, bytes: number): void;
  /** [0, 1); Math.random by default (tests pass their own). */
  random?: () => number;
}

/** Swarms whose origin ignores Range (no spot check possible) remembered, at most. */
const MAX_NO_RANGE_SWARMS = 64;
/**
 * How long after a peer stated the size the spot checks wait for the digest service's answer
 * before they start anyway (a live digest still being computed must not leave them to the end).
 */
export const SPOT_CHECK_DIGEST_GRACE_MS = 500;

/** The ladder of one engine: makes each load's {@link SegmentTrust}, remembers origins without Range. */
export class TrustLadder {
  private readonly noRange = new Set<string>();

  constructor(readonly deps: TrustLadderDeps) {}

  /**
   * Whether some rung may vouch for this segment's peer bytes: a published digest or hook does;
   * otherwise, unless the digest service has said it leaves the swarm to spot checks and the origin
   * of the swarm was seen to ignore Range, the load will find out. False: peers are not worth asking.
   */
  mayVerify(request: SegmentRequest): boolean {
    if (request.sha256 !== undefined || this.deps.config.validateSegment) return true;
    if (!this.noRange.has(request.swarmKey)) return true;
    const { digests } = this.deps;
    const canAsk = digests !== undefined && (request.playlistUrl ?? request.manifestUrl) !== undefined;
    return canAsk && !digests.leavesToSpotChecks(request.swarmKey);
  }

  /** Start the ladder for one load: the digest ask goes out now. `dispose()` it when the load ends. */
  begin(request: SegmentRequest, playerRequestSetup?: HttpRequestSetup): SegmentTrust {
    return new SegmentTrust(this, request, playerRequestSetup);
  }

  /** The origin of this swarm answered a spot check's Range with something else. */
  rangeUnsupported(swarmKey: string): void {
    if (this.noRange.size >= MAX_NO_RANGE_SWARMS) this.noRange.clear();
    this.noRange.add(swarmKey);
  }
}

/** One load's ladder: the digest ask and the spot checks run while the peer transfer does. */
export class SegmentTrust {
  private digest: Promise<DigestLookup> | undefined;
  private digestAnswer: DigestLookup | undefined;
  private readonly spot: SpotChecks;
  private lengthHint: number | undefined;
  private graceTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly stop = new AbortController();
  /** Checks chunk by chunk once the digest service sent chunk digests and {@link cutThrough} was set. */
  private chunks: ChunkVerifier | undefined;
  private cutThroughTarget: (CutThroughTarget & { readonly totalLength: number }) | undefined;
  private onChunkFailure: ((verdict: TrustVerdict & { kind: "failed" }) => void) | undefined;
  /** The span of the copy that came from peers. */
  private peerStart = Number.POSITIVE_INFINITY;
  private peerEnd = 0;

  constructor(
    private readonly ladder: TrustLadder,
    readonly request: SegmentRequest,
    /** The player's request hook: spot checks are made as the segment's own requests are. */
    playerRequestSetup?: HttpRequestSetup,
  ) {
    const { deps } = ladder;
    this.spot = new SpotChecks({
      ...deps,
      ...(playerRequestSetup ? { playerRequestSetup } : {}),
      request,
      signal: this.stop.signal,
      spent: (bytes) => deps.spotCheckBytes(request.swarmKey, bytes),
    });
  }

  /**
   * Ask the digest service, once, when the first peer bytes arrive (a load served by HTTP alone asks
   * nothing): its answer then comes in while the peer transfer runs.
   */
  private askDigest(): void {
    const { deps } = this.ladder;
    const { request } = this;
    if (this.digest || this.digestAnswer || request.sha256 !== undefined || deps.config.validateSegment)
      return;
    const viewer = deps.viewer();
    const playlistUrl = request.playlistUrl ?? request.manifestUrl;
    if (!deps.digests || !viewer || !playlistUrl) {
      this.digestAnswer = { ok: false, reason: "unavailable", detail: "no digest service to ask" };
      return;
    }
    this.digest = deps.digests.get({
      swarmKey: request.swarmKey,
      peerId: viewer.peerId,
      ...(viewer.session !== undefined ? { session: viewer.session } : {}),
      ...(request.manifestUrl !== undefined ? { manifestUrl: request.manifestUrl } : {}),
      playlistUrl,
      url: request.url,
      ...(request.byteRange ? { byteRange: request.byteRange } : {}),
    });
    void this.digest.then((answer) => {
      this.digestAnswer = answer;
      this.maybeSample();
      this.checkChunks();
    });
  }

  /**
   * Verified cut-through: once the digest service's answer has chunk digests for a copy of
   * `target.totalLength` bytes, check the held bytes chunk by chunk as they arrive (those held
   * already at once) and tell `target` each verified prefix. A chunk that fails is reported to
   * `failed` at once, with the peers that sent it; {@link verdict} then returns the same failure.
   */
  cutThrough(
    target: CutThroughTarget & { readonly totalLength: number },
    failed: (verdict: TrustVerdict & { kind: "failed" }) => void,
  ): void {
    this.cutThroughTarget = target;
    this.onChunkFailure = failed;
    this.checkChunks();
  }

  /** Bytes `[at, at + n)` of the copy came from a peer. */
  peerBytes(at: number, n: number): void {
    this.peerStart = Math.min(this.peerStart, at);
    this.peerEnd = Math.max(this.peerEnd, at + n);
    this.checkChunks();
  }

  /**
   * HTTP fetches the rest of the copy (a peer stalled, failed or was cut): the peers' span is final.
   * If no planned sample falls in it, sample that span now, while the HTTP resume runs, instead of
   * once the copy is complete — then the check's answers are usually in by the verdict, and a loaded
   * page does not throw away honest peer bytes for want of a late answer.
   */
  peersDone(): void {
    this.spot.peersFinal(this.peerSpan());
  }

  /** Start (or go on with) the chunk checks, where the answer and the copy allow them. */
  private checkChunks(): void {
    const target = this.cutThroughTarget;
    const answer = this.digestAnswer;
    if (!this.chunks && target && answer?.ok && answer.chunks && answer.bytes === target.totalLength) {
      this.chunks = new ChunkVerifier(answer.chunks, answer.bytes, target, (failure) =>
        this.onChunkFailure?.(chunkVerdict(failure)),
      );
    }
    if (!this.stop.signal.aborted) this.chunks?.advance();
  }

  /** A peer stated the segment's size: spot checks may start (if the digest service has none). */
  lengthKnown(total: number): void {
    if (total <= 0 || this.lengthHint !== undefined) return;
    // A published digest or the page's hook decides the verdict (see `verdict`): spot checks would
    // cost the origin Range requests, and the page fetch() calls, whose answer nobody reads.
    if (this.request.sha256 !== undefined || this.ladder.deps.config.validateSegment) return;
    this.lengthHint = total;
    this.askDigest();
    this.maybeSample();
    if (!this.spot.started && !this.digestAnswer)
      this.graceTimer = setTimeout(() => this.maybeSample(true), SPOT_CHECK_DIGEST_GRACE_MS);
  }

  /**
   * Judge the complete copy `data` with the strongest rung that has a say, waiting at most `waitMs`
   * for the digest service and the spot checks. Never rejects.
   */
  async verdict(data: Uint8Array, waitMs: number): Promise<TrustVerdict> {
    const { request } = this;
    const { validateSegment } = this.ladder.deps.config;
    if (request.sha256 !== undefined || validateSegment) {
      const by: TrustRung = request.sha256 !== undefined ? "published-sha256" : "validate-segment";
      const problem = await verificationProblem(request, data, validateSegment);
      return problem
        ? { kind: "failed", by, reason: "digest-mismatch", detail: problem }
        : { kind: "verified", by };
    }
    const until = performance.now() + waitMs;
    this.askDigest();
    const answer = this.digestAnswer ?? (this.digest && (await within(this.digest, until)));
    if (answer?.ok) {
      if (this.chunks) {
        await this.chunks.drain();
        if (this.chunks.failure) return chunkVerdict(this.chunks.failure);
        // Every byte of the copy passed its chunk's digest (the same service's hashes of the same
        // origin bytes): the whole-segment SHA-256 would only hash the segment a second time.
        if (answer.bytes === data.byteLength && this.chunks.verifiedEnd === data.byteLength)
          return { kind: "verified", by: "server-digest" };
      }
      const actual = await sha256Hex(data);
      if (answer.bytes === data.byteLength && actual === answer.sha256)
        return { kind: "verified", by: "server-digest" };
      const detail = `${data.byteLength} bytes, SHA-256 ${actual} != the server's ${answer.bytes} bytes, ${answer.sha256}`;
      return { kind: "failed", by: "server-digest", reason: "digest-mismatch", detail };
    }
    const spot = await this.spot.verdict(data, this.peerSpan(), until);
    if (spot.kind === "no-verdict" && spot.noRange) this.ladder.rangeUnsupported(request.swarmKey);
    if (spot.kind === "match") return { kind: "verified", by: "spot-check" };
    if (spot.kind === "mismatch")
      return { kind: "failed", by: "spot-check", reason: "spot-check", detail: spot.detail };
    const why = answer
      ? `digest: ${answer.reason}${answer.detail ? ` (${answer.detail})` : ""}`
      : "digest: no answer in time";
    return { kind: "unverifiable", detail: `${why}; spot check: ${spot.detail}` };
  }

  /** The load ended: stop the spot checks still in flight. */
  dispose(): void {
    clearTimeout(this.graceTimer);
    this.stop.abort();
  }

  /** Start the spot checks once the size is known and the service has no digest (or is late). */
  private maybeSample(late = false): void {
    if (this.spot.started || this.lengthHint === undefined || this.stop.signal.aborted) return;
    if (this.digestAnswer?.ok || (!this.digestAnswer && !late)) return;
    this.spot.start(this.lengthHint);
  }

  /** The span of the copy that came from peers. */
  private peerSpan(): { start: number; end: number } {
    return { start: this.peerStart, end: this.peerEnd };
  }
}

function chunkVerdict(failure: ChunkFailure): TrustVerdict & { kind: "failed" } {
  return {
    kind: "failed",
    by: "server-digest",
    reason: "digest-mismatch",
    detail: failure.detail,
    culprits: failure.peerIds,
  };
}

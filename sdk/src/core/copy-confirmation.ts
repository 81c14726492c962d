// Confirming a complete copy of a segment before it is shared whole with peers: the hook every
// check of an HTTP copy plugs into (published digests, stated lengths, the tail check). Copies with
// bytes from peers are held back and confirmed by the trust ladder instead (verify/trust-ladder.ts).
// A holder never sends the last byte of a copy to peers before it is confirmed (see
// SegmentStore.confirm and p2p/uploader.ts), so a copy that is refuted completes nowhere else.
import { HttpBodyError } from "./errors.js";
import type { NearcastEvents } from "./events.js";
import { sha256Hex } from "./integrity.js";
import type { Logger } from "./logger.js";
import type { SegmentAssembly } from "./segment-assembly.js";
import type { StatsCollector } from "./stats.js";
import type { HttpRejectionReason, LoadOptions, SegmentRequest } from "./types.js";

/**
 * What vouches for the length of a copy:
 * - `byte-range`: the playlist's byte range (the HTTP body matched it);
 * - `content-length` / `content-range`: the HTTP response's header (the body matched it);
 * - `peer`: the size its holder announced: a claim, which confirms nothing (the trust ladder does);
 * - `none`: an HTTP body that simply ended, with no length stated anywhere (chunked, no byte range):
 *   it may have been cut short.
 */
export type LengthEvidence = "byte-range" | "content-length" | "content-range" | "peer" | "none";

/** A complete copy of a segment, as the confirmers see it. */
export interface CopyToConfirm {
  readonly request: SegmentRequest;
  readonly data: Uint8Array;
  readonly httpBytes: number;
  readonly p2pBytes: number;
  readonly length: LengthEvidence;
  /** Status of the HTTP response that ended the copy; 0 when peers gave all of it. */
  readonly httpStatus: number;
}

/** A confirmer's verdict; `by` names the check (for logs and events). */
export type CopyVerdict =
  | { readonly confirmed: true; readonly by: string }
  | {
      readonly confirmed: false;
      readonly by: string;
      readonly reason: HttpRejectionReason;
      readonly detail: string;
    };

/**
 * One check of a copy: a verdict, or undefined when it has nothing to say (the next one is asked).
 * A refutation is a verdict, not a throw; it may throw AbortError when `options.signal` aborts.
 */
export type SegmentConfirmer = (
  copy: CopyToConfirm,
  options: LoadOptions,
) => Promise<CopyVerdict | undefined>;

/** Asks the confirmers in order: the first verdict decides; undefined when none has one. */
export async function confirmCopy(
  confirmers: readonly SegmentConfirmer[],
  copy: CopyToConfirm,
  options: LoadOptions,
): Promise<CopyVerdict | undefined> {
  for (const confirmer of confirmers) {
    const verdict = await confirmer(copy, options);
    if (verdict) return verdict;
  }
  return undefined;
}

/** The digest the origin published for the segment (`request.sha256`): the strongest check there is. */
export const publishedDigest: SegmentConfirmer = async ({ request, data }) => {
  if (request.sha256 === undefined) return undefined;
  const actual = await sha256Hex(data);
  if (actual === request.sha256) return { confirmed: true, by: "published-sha256" };
  return {
    confirmed: false,
    by: "published-sha256",
    reason: "digest-mismatch",
    detail: `SHA-256 ${actual} != published ${request.sha256}`,
  };
};

/**
 * A length some authority stated (see LengthEvidence) confirms a copy that came over HTTP: its body
 * matched it, or it would have been refused already. A copy of unstated length gets no verdict here,
 * nor does one with bytes from peers: a peer's size is its own claim, and such copies are confirmed
 * only by the trust ladder (verify/trust-ladder.ts, through SegmentAssembly.publish).
 */
export const statedLength: SegmentConfirmer = async ({ length, p2pBytes }) =>
  length === "none" || length === "peer" || p2pBytes > 0 ? undefined : { confirmed: true, by: length };

/** Refused segment URLs remembered, at most (a few segments' worth of retries). */
const MAX_REFUSED_URLS = 64;

/** What one engine's confirmation needs: the checks, in order, and where to count refusals. */
export interface CopyConfirmationDeps {
  confirmers: readonly SegmentConfirmer[];
  stats: StatsCollector;
  emit<K extends keyof NearcastEvents>(event: K, arg: NearcastEvents[K]): void;
  log: Logger;
}

/** Runs the confirmers on a load's copy, and counts every HTTP body refused, by reason. */
export class CopyConfirmation {
  /**
   * Segment URLs whose HTTP body was refused lately (bounded, oldest dropped first): the next fetch
   * of one skips the browser's cache, which may hold the refused body and answer every retry with it.
   */
  private readonly refusedUrls = new Set<string>();

  constructor(private readonly deps: CopyConfirmationDeps) {}

  /** Whether a body of this URL was refused lately (see `refusedUrls`). */
  wasRefused(url: string): boolean {
    return this.refusedUrls.has(url);
  }

  /**
   * Confirm a complete copy before it is shared whole (see SegmentAssembly.confirm). Throws
   * HttpBodyError when a confirmer refutes it: the copy was dropped, the refusal counted, and the
   * load fails like a failed request (to be retried). A copy with no verdict is not shared.
   */
  async confirm(assembly: SegmentAssembly, options: LoadOptions): Promise<void> {
    const verdict = await assembly.confirm(this.deps.confirmers, options);
    if (!verdict || verdict.confirmed) return;
    const error = new HttpBodyError(verdict.detail, assembly.httpStatus || 200, verdict.reason);
    this.count(assembly.request, error);
    throw error;
  }

  /**
   * The HTTP response delivering a load's bytes ended: settle the copy's length (see
   * SegmentAssembly.httpEnded), then confirm it. Throws HttpBodyError as {@link confirm} does.
   */
  async httpEnded(
    assembly: SegmentAssembly,
    result: { lengthEvidence: LengthEvidence; status: number },
    options: LoadOptions,
  ): Promise<void> {
    try {
      assembly.httpEnded(result.lengthEvidence, result.status);
    } catch (error) {
      this.fetchFailed(assembly, error);
      throw error;
    }
    await this.confirm(assembly, options);
  }

  /** An HTTP fetch of a load failed: a refused body is dropped from the load and the store, and counted. */
  fetchFailed(assembly: SegmentAssembly, error: unknown): void {
    if (!(error instanceof HttpBodyError)) return;
    assembly.discardCopy();
    this.count(assembly.request, error);
  }

  private count(request: SegmentRequest, error: HttpBodyError): void {
    this.refusedUrls.delete(request.url);
    this.refusedUrls.add(request.url);
    if (this.refusedUrls.size > MAX_REFUSED_URLS)
      this.refusedUrls.delete(this.refusedUrls.values().next().value!);
    this.deps.log(
      "%s %s: HTTP body refused (%s): %s",
      request.swarmKey,
      request.id,
      error.reason,
      error.message,
    );
    this.deps.stats.addHttpBodyRejection(request.swarmKey, error.reason);
    this.deps.emit("http-body-rejected", {
      segmentId: request.id,
      swarmKey: request.swarmKey,
      url: request.url,
      reason: error.reason,
      detail: error.message,
    });
  }
}

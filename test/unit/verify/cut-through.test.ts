// Verified cut-through: a held copy of peer bytes checked chunk by chunk against the digest
// service's chunk digests, through the real DigestClient, TrustLadder, SegmentAssembly and
// SegmentStore; the store must hold exactly the verified prefix at every step.
import { createHash } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SegmentAssembly } from "../../../sdk/src/core/segment-assembly.js";
import { SegmentStore } from "../../../sdk/src/core/segment-store.js";
import type { SegmentRequest } from "../../../sdk/src/core/types.js";
import { DigestClient } from "../../../sdk/src/http/digest-client.js";
import { DIGEST_CHUNK_BYTES } from "../../../sdk/src/http/digest-wire.js";
import { TrustLadder, type TrustVerdict } from "../../../sdk/src/verify/trust-ladder.js";
import { chunkDigestsOf } from "../../support/chunk-digests.js";

const CHUNK = DIGEST_CHUNK_BYTES;
/** Three full chunks and a short last one. */
const SEGMENT = new Uint8Array(3 * CHUNK + 10_000).map((_, i) => (i * 13 + (i >> 9)) & 0xff);
const SERVICE_URL = "http://tracker.test/api/digests";
const REQUEST: SegmentRequest = {
  id: "seg1",
  swarmKey: "stream|v1",
  url: "http://origin.test/v/seg1.m4s",
  startTimeSec: 0,
  durationSec: 2,
  live: true,
  playlistUrl: "http://origin.test/v/index.m3u8",
};

function okEntry(withChunks: boolean) {
  const digests: Buffer[] = [];
  for (let at = 0; at < SEGMENT.byteLength; at += CHUNK)
    digests.push(
      createHash("sha256")
        .update(SEGMENT.subarray(at, at + CHUNK))
        .digest(),
    );
  return {
    status: "ok",
    sha256: createHash("sha256").update(SEGMENT).digest("hex"),
    bytes: SEGMENT.byteLength,
    ...(withChunks ? { chunkBytes: CHUNK, chunks: chunkDigestsOf(SEGMENT).toString("base64") } : {}),
  };
}

const clients: DigestClient[] = [];
afterEach(() => clients.splice(0).forEach((c) => c.destroy()));

/** A load as the delivery loop runs it, with a digest service whose answer the test releases. */
function load(options: { chunks?: boolean; answerNow?: boolean } = {}) {
  let answer!: () => void;
  const answered = new Promise<void>((resolve) => (answer = resolve));
  if (options.answerNow !== false) answer();
  const fetchImpl: typeof fetch = async () => {
    await answered;
    const body = { served: true, digests: [okEntry(options.chunks !== false)] };
    return new Response(JSON.stringify(body), { status: 200 });
  };
  const digests = new DigestClient({ serviceUrl: SERVICE_URL, fetchImpl, timeoutMs: 5000 });
  clients.push(digests);
  const ladder = new TrustLadder({
    config: {
      validateSegment: undefined,
      httpHeaders: {},
      httpCredentials: "same-origin",
      httpRequestSetup: undefined,
    },
    fetchImpl,
    digests,
    viewer: () => ({ peerId: "-NC0100-abcdefghijkl" }),
    spotCheckBytes: () => undefined,
  });
  const store = new SegmentStore({ maxBytes: 1 << 24, requireConfirmation: true });
  const assembly = new SegmentAssembly(REQUEST, store, true);
  const trust = ladder.begin(REQUEST);
  const failures: TrustVerdict[] = [];
  trust.cutThrough(assembly, (verdict) => failures.push(verdict));
  const stored = () => store.get(REQUEST.swarmKey, REQUEST.id)?.bytesAvailable ?? 0;
  /** Bytes `[at, end)` of `copy` arrive from `peerId` in data-channel-sized pieces. */
  const receive = (copy: Uint8Array, at: number, end: number, peerId: string) => {
    for (let i = at; i < end; i += 16 * 1024) {
      const piece = copy.slice(i, Math.min(end, i + 16 * 1024));
      assembly.setTotal(copy.byteLength, "peer");
      trust.lengthKnown(assembly.totalLength);
      assembly.append(i, piece, "p2p", performance.now(), peerId);
      trust.peerBytes(i, piece.byteLength);
    }
  };
  return { trust, assembly, store, failures, stored, receive, answer };
}

const until = (fn: () => void) => vi.waitFor(fn, { timeout: 2000, interval: 5 });

describe("verified cut-through", () => {
  it("shares each chunk as soon as it is verified, the whole copy only once it passed", async () => {
    const l = load();
    l.receive(SEGMENT, 0, CHUNK - 1, "A");
    // Nothing verified yet: a partial chunk is held.
    await until(() => expect(l.assembly.length).toBe(CHUNK - 1));
    expect(l.stored()).toBe(0);
    l.receive(SEGMENT, CHUNK - 1, 2 * CHUNK + 5, "A");
    await until(() => expect(l.stored()).toBe(2 * CHUNK));
    l.receive(SEGMENT, 2 * CHUNK + 5, SEGMENT.byteLength, "B");
    await until(() => expect(l.stored()).toBe(SEGMENT.byteLength));
    // Complete but unconfirmed: the whole-segment check comes first.
    expect(l.store.get(REQUEST.swarmKey, REQUEST.id)?.confirmed).toBe(false);
    const verdict = await l.trust.verdict(l.assembly.bytes(), 2000);
    expect(verdict).toEqual({ kind: "verified", by: "server-digest" });
    l.assembly.publish(l.assembly.bytes());
    const copy = l.store.get(REQUEST.swarmKey, REQUEST.id)!;
    expect(copy.confirmed).toBe(true);
    expect(Buffer.from(copy.data).equals(Buffer.from(SEGMENT))).toBe(true);
    expect(l.failures).toEqual([]);
    l.trust.dispose();
  });

  it("catches a bad chunk mid-segment: its sender only is the culprit, nothing past the good prefix is shared", async () => {
    const l = load();
    const lie = SEGMENT.slice();
    lie[2 * CHUNK + 100] = lie[2 * CHUNK + 100]! ^ 0xff;
    l.receive(SEGMENT, 0, 2 * CHUNK, "honest");
    l.receive(lie, 2 * CHUNK, 3 * CHUNK, "liar");
    await until(() => expect(l.failures).toHaveLength(1));
    expect(l.failures[0]).toMatchObject({
      kind: "failed",
      by: "server-digest",
      reason: "digest-mismatch",
      culprits: ["liar"],
    });
    expect(l.stored()).toBe(2 * CHUNK);
    // Whatever comes later is never shared, and the final verdict is the same failure.
    l.receive(SEGMENT, 3 * CHUNK, SEGMENT.byteLength, "honest");
    const verdict = await l.trust.verdict(l.assembly.bytes(), 2000);
    expect(verdict).toMatchObject({ kind: "failed", culprits: ["liar"] });
    expect(l.stored()).toBe(2 * CHUNK);
    l.trust.dispose();
  });

  it("names every sender of a chunk that came from two peers", async () => {
    const l = load();
    const lie = SEGMENT.slice();
    lie[CHUNK + 20 * 1024] = lie[CHUNK + 20 * 1024]! ^ 0xff;
    l.receive(SEGMENT, 0, CHUNK + 16 * 1024, "first");
    l.receive(lie, CHUNK + 16 * 1024, 2 * CHUNK, "second");
    await until(() => expect(l.failures).toHaveLength(1));
    expect(l.failures[0]).toMatchObject({ culprits: ["first", "second"] });
    l.trust.dispose();
  });

  it("verifies the held prefix at once when the digests arrive after the bytes", async () => {
    const l = load({ answerNow: false });
    l.receive(SEGMENT, 0, 3 * CHUNK + 5, "A");
    expect(l.assembly.length).toBe(3 * CHUNK + 5);
    expect(l.stored()).toBe(0);
    l.answer();
    await until(() => expect(l.stored()).toBe(3 * CHUNK));
    l.trust.dispose();
  });

  it("without chunk digests holds the whole copy until it passed, as before", async () => {
    const l = load({ chunks: false });
    l.receive(SEGMENT, 0, SEGMENT.byteLength, "A");
    const verdict = await l.trust.verdict(l.assembly.bytes(), 2000);
    expect(verdict).toEqual({ kind: "verified", by: "server-digest" });
    expect(l.stored()).toBe(0);
    l.assembly.publish(l.assembly.bytes());
    expect(l.store.get(REQUEST.swarmKey, REQUEST.id)?.confirmed).toBe(true);
    l.trust.dispose();
  });
});

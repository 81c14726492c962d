// The trust ladder's decisions, rung by rung, against an in-memory origin (it answers Range like a
// CDN) and an in-memory digest service, through the real DigestClient.
import { createHash } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { SegmentRequest } from "../../../sdk/src/core/types.js";
import { DigestClient } from "../../../sdk/src/http/digest-client.js";
import {
  SPOT_CHECK_DIGEST_GRACE_MS,
  TrustLadder,
  type TrustLadderDeps,
} from "../../../sdk/src/verify/trust-ladder.js";

const SEGMENT = new Uint8Array(150_000).map((_, i) => (i * 13 + 5) & 0xff);
const SHA = createHash("sha256").update(SEGMENT).digest("hex");
const SEGMENT_URL = "http://origin.test/v/seg1.m4s";
const SERVICE_URL = "http://tracker.test/api/digests";

function request(extra: Partial<SegmentRequest> = {}): SegmentRequest {
  return {
    id: "seg1",
    swarmKey: "stream|v1",
    url: SEGMENT_URL,
    startTimeSec: 0,
    durationSec: 2,
    live: false,
    playlistUrl: "http://origin.test/v/index.m3u8",
    ...extra,
  };
}

interface World {
  ranged: string[];
  /** The cache mode of each Range request (spot checks must not be answered from a browser cache). */
  cacheModes: (RequestCache | undefined)[];
  digestAsks: number;
  /** What the digest service answers: a served digest, or "small swarm". */
  service: "ok" | "small_swarm";
  /** The origin ignores Range (answers 200 with the whole body). */
  noRange: boolean;
}

function worldFetch(world: World): typeof fetch {
  return async (input, init) => {
    const url = String(input);
    if (url === SERVICE_URL) {
      world.digestAsks++;
      const body =
        world.service === "ok"
          ? { served: true, digests: [{ status: "ok", sha256: SHA, bytes: SEGMENT.byteLength }] }
          : { served: false, reason: "small_swarm", swarmSize: 4, minSwarmSize: 100 };
      return new Response(JSON.stringify(body), { status: 200 });
    }
    const range = new Headers(init?.headers).get("range");
    world.ranged.push(range ?? "");
    world.cacheModes.push(init?.cache);
    if (world.noRange || !range) return new Response(SEGMENT.slice(), { status: 200 });
    const [, from, to] = /bytes=(\d+)-(\d*)/.exec(range)!;
    const start = Number(from);
    const end = Math.min(SEGMENT.byteLength, to ? Number(to) + 1 : SEGMENT.byteLength);
    if (start >= SEGMENT.byteLength) return new Response(null, { status: 416 });
    return new Response(SEGMENT.slice(start, end), {
      status: 206,
      headers: { "content-range": `bytes ${start}-${end - 1}/${SEGMENT.byteLength}` },
    });
  };
}

const clients: DigestClient[] = [];
afterEach(() => clients.splice(0).forEach((c) => c.destroy()));

function ladder(world: World, deps: Partial<TrustLadderDeps> = {}) {
  const fetchImpl = worldFetch(world);
  const digests = new DigestClient({ serviceUrl: SERVICE_URL, fetchImpl, timeoutMs: 1000 });
  clients.push(digests);
  const spent: number[] = [];
  const trust = new TrustLadder({
    config: {
      validateSegment: undefined,
      httpHeaders: {},
      httpCredentials: "same-origin",
      httpRequestSetup: undefined,
    },
    fetchImpl,
    digests,
    viewer: () => ({ peerId: "-NC0100-abcdefghijkl" }),
    spotCheckBytes: (_key, bytes) => spent.push(bytes),
    random: () => 0.5,
    ...deps,
  });
  return { trust, spent };
}

function newWorld(extra: Partial<World> = {}): World {
  return { ranged: [], cacheModes: [], digestAsks: 0, service: "small_swarm", noRange: false, ...extra };
}

function liarCopy(): Uint8Array {
  const lie = SEGMENT.slice();
  for (let i = 64; i < lie.byteLength; i++) lie[i] = lie[i]! ^ 0xff;
  return lie;
}

/** A load whose peer gave the whole copy (it stated `length`). */
async function judge(trust: TrustLadder, copy: Uint8Array, req = request()) {
  const load = trust.begin(req);
  load.lengthKnown(copy.byteLength);
  load.peerBytes(0, copy.byteLength);
  try {
    return await load.verdict(copy, 2000);
  } finally {
    load.dispose();
  }
}

describe("trust ladder", () => {
  it("a published digest decides alone: no digest ask, no spot check", async () => {
    const world = newWorld();
    const { trust } = ladder(world);
    expect(await judge(trust, SEGMENT, request({ sha256: SHA }))).toEqual({
      kind: "verified",
      by: "published-sha256",
    });
    expect(await judge(trust, liarCopy(), request({ sha256: SHA }))).toMatchObject({
      kind: "failed",
      by: "published-sha256",
      reason: "digest-mismatch",
    });
    expect(world).toMatchObject({ digestAsks: 0, ranged: [] });
  });

  it("a published digest: no spot check starts, even once the digest service's grace is over", async () => {
    const world = newWorld();
    const { trust } = ladder(world);
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const load = trust.begin(request({ sha256: SHA }));
      load.lengthKnown(SEGMENT.byteLength);
      load.peerBytes(0, SEGMENT.byteLength);
      vi.advanceTimersByTime(SPOT_CHECK_DIGEST_GRACE_MS * 2);
      expect(vi.getTimerCount()).toBe(0);
      expect(await load.verdict(SEGMENT, 2000)).toEqual({ kind: "verified", by: "published-sha256" });
      load.dispose();
    } finally {
      vi.useRealTimers();
    }
    expect(world).toMatchObject({ digestAsks: 0, ranged: [] });
  });

  it("the page's validateSegment comes next, before the server", async () => {
    const world = newWorld();
    const { trust } = ladder(world, {
      config: {
        validateSegment: (_s, data) => data[100] === SEGMENT[100],
        httpHeaders: {},
        httpCredentials: "same-origin",
        httpRequestSetup: undefined,
      },
    });
    expect(await judge(trust, SEGMENT)).toEqual({ kind: "verified", by: "validate-segment" });
    expect(await judge(trust, liarCopy())).toMatchObject({ kind: "failed", by: "validate-segment" });
    expect(world).toMatchObject({ digestAsks: 0, ranged: [] });
  });

  it("a server digest verifies without touching the origin; a liar fails it", async () => {
    const world = newWorld({ service: "ok" });
    const { trust } = ladder(world);
    expect(await judge(trust, SEGMENT)).toEqual({ kind: "verified", by: "server-digest" });
    expect(await judge(trust, liarCopy())).toMatchObject({
      kind: "failed",
      by: "server-digest",
      reason: "digest-mismatch",
    });
    expect(world.ranged).toEqual([]);
  });

  it("a small swarm falls to spot checks, started as soon as the peer states the size", async () => {
    const world = newWorld();
    const { trust, spent } = ladder(world);
    const load = trust.begin(request());
    load.lengthKnown(SEGMENT.byteLength);
    // Before any verdict is asked for, the samples are on their way (in parallel with the transfer).
    await expect.poll(() => world.ranged.length, { timeout: 2000 }).toBe(4);
    load.peerBytes(0, SEGMENT.byteLength);
    expect(await load.verdict(SEGMENT, 2000)).toEqual({ kind: "verified", by: "spot-check" });
    load.dispose();
    expect(world.cacheModes).toEqual(["no-store", "no-store", "no-store", "no-store"]);
    const cost = spent.reduce((a, b) => a + b, 0);
    expect(cost).toBeGreaterThan(0);
    expect(cost).toBeLessThanOrEqual(SEGMENT.byteLength * 0.03);
    expect(await judge(trust, liarCopy())).toMatchObject({
      kind: "failed",
      by: "spot-check",
      reason: "spot-check",
    });
  });

  it("a copy cut short fails the spot check's tail", async () => {
    const { trust } = ladder(newWorld());
    expect(await judge(trust, SEGMENT.slice(0, 90_000))).toMatchObject({
      kind: "failed",
      by: "spot-check",
      detail: expect.stringMatching(/150000 bytes/),
    });
  });

  it("peer bytes only in the middle of a copy get samples of their own", async () => {
    const world = newWorld();
    const { trust } = ladder(world);
    const load = trust.begin(request());
    load.lengthKnown(SEGMENT.byteLength);
    // A peer gave 2,000 bytes no planned sample (one per slice, random 0.5) falls on.
    const lie = SEGMENT.slice();
    for (let i = 1_000; i < 3_000; i++) lie[i] = lie[i]! ^ 1;
    load.peerBytes(1_000, 2_000);
    expect(await load.verdict(lie, 2000)).toMatchObject({ kind: "failed", by: "spot-check" });
    load.dispose();
    expect(world.ranged.length).toBe(8);
  });

  it("a peer span that HTTP finishes is sampled when HTTP takes over, not when the copy is complete", async () => {
    const world = newWorld();
    const { trust } = ladder(world);
    const load = trust.begin(request());
    load.lengthKnown(SEGMENT.byteLength);
    await expect.poll(() => world.ranged.length, { timeout: 2000 }).toBe(4);
    // A peer gave the first 16 KiB (no planned sample falls there), then stalled: HTTP resumes.
    load.peerBytes(0, 16_384);
    load.peersDone();
    await expect.poll(() => world.ranged.length, { timeout: 2000 }).toBe(8);
    // The verdict reuses those samples: nothing more is asked of the origin.
    expect(await load.verdict(SEGMENT, 2000)).toEqual({ kind: "verified", by: "spot-check" });
    load.dispose();
    expect(world.ranged.length).toBe(8);
    expect(world.ranged.slice(4).every((r) => Number(/bytes=(\d+)-/.exec(r)?.[1]) < 16_384)).toBe(true);
  });

  it("an origin that ignores Range leaves the copy unverifiable, and peers are not asked again", async () => {
    const world = newWorld({ noRange: true });
    const { trust, spent } = ladder(world);
    const verdict = await judge(trust, SEGMENT);
    expect(verdict).toMatchObject({
      kind: "unverifiable",
      detail: expect.stringMatching(/spot_checks.*200/),
    });
    // Cut at the head: the whole segment did not come down for a spot check.
    expect(spent.reduce((a, b) => a + b, 0)).toBe(0);
    expect(trust.mayVerify(request())).toBe(false);
    // A published digest still lets peers help.
    expect(trust.mayVerify(request({ sha256: SHA }))).toBe(true);
  });

  it("no digest service and no answer from the origin in time: unverifiable", async () => {
    const hang: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) =>
        init?.signal?.addEventListener("abort", () => reject(new Error("aborted"))),
      );
    const { trust } = ladder(newWorld(), { fetchImpl: hang, digests: undefined });
    const load = trust.begin(request());
    load.lengthKnown(SEGMENT.byteLength);
    load.peerBytes(0, SEGMENT.byteLength);
    const started = performance.now();
    expect(await load.verdict(SEGMENT, 300)).toMatchObject({
      kind: "unverifiable",
      detail: expect.stringMatching(/no digest service.*no answer in time/),
    });
    expect(performance.now() - started).toBeLessThan(1000);
    load.dispose();
  });

  it("a digest service slow to answer does not hold the spot checks back past a grace period", async () => {
    const world = newWorld();
    const origin = worldFetch(world);
    // The service never answers (until the ask's own deadline); the origin does.
    const slowService: typeof fetch = (input, init) =>
      String(input) === SERVICE_URL
        ? new Promise((_resolve, reject) =>
            init?.signal?.addEventListener("abort", () => reject(new Error("aborted"))),
          )
        : origin(input, init);
    const digests = new DigestClient({ serviceUrl: SERVICE_URL, fetchImpl: slowService, timeoutMs: 5000 });
    clients.push(digests);
    const { trust } = ladder(world, { fetchImpl: slowService, digests });
    const load = trust.begin(request());
    const started = performance.now();
    load.lengthKnown(SEGMENT.byteLength);
    await expect.poll(() => world.ranged.length, { timeout: 2000 }).toBe(4);
    expect(performance.now() - started).toBeLessThan(1500);
    load.peerBytes(0, SEGMENT.byteLength);
    expect(await load.verdict(SEGMENT, 2000)).toEqual({ kind: "verified", by: "spot-check" });
    load.dispose();
  });

  it("without a digest service, an origin that ignores Range leaves peers out for that swarm", async () => {
    const { trust } = ladder(newWorld({ noRange: true }), { digests: undefined });
    expect(trust.mayVerify(request())).toBe(true);
    expect(await judge(trust, SEGMENT)).toMatchObject({ kind: "unverifiable" });
    expect(trust.mayVerify(request())).toBe(false);
    expect(trust.mayVerify(request({ swarmKey: "stream|v2" }))).toBe(true);
  });
});

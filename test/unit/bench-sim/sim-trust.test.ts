// The simulator's trust ladder: the verdict's time and origin cost per load follow the SDK's rules
// (digest service at or above its min swarm, spot checks below or when it is late, within the wait),
// and a run with the ladder pays what it says at the origin; with the service's chunk digests, peer
// bytes are passed on chunk by chunk (verified cut-through).
import { describe, expect, it } from "vitest";
import { DEFAULT_DIGEST_OPTIONS } from "../../../demo-server/src/digests/digest-options.js";
import { scenarios } from "../../../bench/sim/scenarios.js";
import { runSimulation } from "../../../bench/sim/sim-run.js";
import {
  cutThroughEnd,
  digestAnswer,
  digestReadyMs,
  spotCheckCost,
  verifyLoad,
  type VerifyInput,
} from "../../../bench/sim/sim-trust.js";
import { DIGEST_CHUNK_BYTES } from "../../../sdk/src/http/digest-wire.js";
import {
  SPOT_CHECK_BUDGET_RATIO,
  SPOT_CHECK_MIN_SAMPLE_BYTES,
  SPOT_CHECK_SAMPLES,
} from "../../../sdk/src/verify/spot-check.js";
import { SPOT_CHECK_DIGEST_GRACE_MS } from "../../../sdk/src/verify/trust-ladder.js";

const MIN = DEFAULT_DIGEST_OPTIONS.minSwarmSize;
const base: VerifyInput = {
  swarmSize: MIN,
  lengthKnownMs: 1000,
  completeMs: 1200,
  waitMs: 3000,
  segmentBytes: 500_000,
  serverRttMs: 80,
  cdnRttMs: 60,
  digestReadyMs: 0,
};

describe("spotCheckCost", () => {
  it("costs the samples and the tail, at most the budget share of the segment, at least the minimum", () => {
    const big = spotCheckCost(1_000_000);
    expect(big.requests).toBe(SPOT_CHECK_SAMPLES + 1);
    expect(big.bytes).toBeLessThanOrEqual(1_000_000 * SPOT_CHECK_BUDGET_RATIO);
    const small = spotCheckCost(10_000);
    expect(small.bytes).toBe((SPOT_CHECK_SAMPLES + 1) * SPOT_CHECK_MIN_SAMPLE_BYTES);
  });
});

describe("verifyLoad", () => {
  it("takes the digest service's answer in a swarm it serves, with no spot check", () => {
    const out = verifyLoad(base);
    expect(out).toMatchObject({ verdict: "verified", by: "server-digest", spotRequests: 0, spotBytes: 0 });
    // Asked at the first peer bytes: answered while the transfer ran, no wait after it.
    expect(out.atMs).toBe(base.completeMs);
  });

  it("waits for a digest the service computes after the transfer ended", () => {
    const out = verifyLoad({ ...base, digestReadyMs: 1300 });
    expect(out).toMatchObject({ verdict: "verified", by: "server-digest" });
    expect(out.atMs).toBe(1300 + base.serverRttMs / 2);
  });

  it("spot-checks below the min swarm, started on the service's small_swarm answer", () => {
    const out = verifyLoad({ ...base, swarmSize: MIN - 1, completeMs: 1010 });
    expect(out.by).toBe("spot-check");
    expect(out.spotRequests).toBe(SPOT_CHECK_SAMPLES + 1);
    expect(out.atMs).toBe(base.lengthKnownMs + base.serverRttMs + base.cdnRttMs);
  });

  it("starts the spot checks after the grace when the service is slow, and pays them even if it answers", () => {
    const out = verifyLoad({ ...base, digestReadyMs: 1700, completeMs: 1900 });
    expect(out.by).toBe("server-digest");
    expect(out.spotBytes).toBe(spotCheckCost(base.segmentBytes).bytes);
    // The digest comes after the wait: the verdict waited for it to the end, then took the spot checks.
    const late = verifyLoad({ ...base, digestReadyMs: 1700, completeMs: 1100, waitMs: 600 });
    expect(late.by).toBe("spot-check");
    expect(late.atMs).toBe(1700);
    // Spot checks started after the grace that cannot answer within the wait: no verdict.
    const none = verifyLoad({
      ...base,
      digestReadyMs: 1700,
      completeMs: 1100,
      waitMs: SPOT_CHECK_DIGEST_GRACE_MS - 100,
    });
    expect(none.verdict).toBe("unverifiable");
  });

  it("leaves a segment unverifiable when no answer comes within the wait", () => {
    const out = verifyLoad({ ...base, swarmSize: 1, serverRttMs: 5000, completeMs: 1100, waitMs: 400 });
    expect(out.verdict).toBe("unverifiable");
    expect(out.atMs).toBe(1500);
  });
});

describe("digestReadyMs", () => {
  it("is the service's next playlist poll, or an ask that names the segment earlier, plus its fetch", () => {
    // 2-s target: polls every 1000 ms.
    expect(digestReadyMs(1200, 5000, 2, 30)).toBe(2030);
    expect(digestReadyMs(1200, 1300, 2, 30)).toBe(1330);
    expect(digestReadyMs(1200, 900, 2, 30)).toBe(1230);
  });
});

describe("a run with the trust ladder", () => {
  it("pays spot checks in a small swarm, and counts them in the offload with protection", () => {
    const small = { ...scenarios()["node-10"]!, durationSec: 20, seed: 3 };
    const ladder = runSimulation(small);
    const off = runSimulation({ ...small, trust: "off" });
    expect(ladder.trust.verified["spot-check"]).toBeGreaterThan(0);
    expect(ladder.trust.digestFetches).toBe(0);
    expect(off.trust.spotRequests).toBe(0);
    const received = ladder.summary.receivedBytes;
    expect(ladder.offloadWithProtection).toBeCloseTo(
      ladder.summary.offload! - ladder.trust.spotBytes / received,
      9,
    );
  });
});

describe("digestAnswer", () => {
  it("is ok in a swarm the service serves, once it has the digest, one server round trip after the ask", () => {
    const ask = { ...base, digestReadyMs: 0 };
    expect(digestAnswer(ask)).toEqual({ ok: true, answerMs: base.lengthKnownMs + base.serverRttMs });
    // The service computes the digest after the ask arrived: it answers then.
    expect(digestAnswer({ ...ask, digestReadyMs: 1500 })).toEqual({
      ok: true,
      answerMs: 1500 + base.serverRttMs / 2,
    });
  });

  it("is not ok below the min swarm (answered at once), nor when the digest comes after the service's wait", () => {
    expect(digestAnswer({ ...base, swarmSize: MIN - 1 })).toEqual({
      ok: false,
      answerMs: base.lengthKnownMs + base.serverRttMs,
    });
    const askArrives = base.lengthKnownMs + base.serverRttMs / 2;
    const late = digestAnswer({ ...base, digestReadyMs: askArrives + DEFAULT_DIGEST_OPTIONS.maxWaitMs + 1 });
    expect(late).toEqual({
      ok: false,
      answerMs: askArrives + DEFAULT_DIGEST_OPTIONS.maxWaitMs + base.serverRttMs / 2,
    });
  });
});

describe("cutThroughEnd", () => {
  it("releases the whole chunk-digest chunks held, and all of a complete copy", () => {
    const total = 3 * DIGEST_CHUNK_BYTES + 100;
    expect(cutThroughEnd(DIGEST_CHUNK_BYTES - 1, total)).toBe(0);
    expect(cutThroughEnd(2 * DIGEST_CHUNK_BYTES + 5, total)).toBe(2 * DIGEST_CHUNK_BYTES);
    expect(cutThroughEnd(3 * DIGEST_CHUNK_BYTES, total)).toBe(3 * DIGEST_CHUNK_BYTES);
    expect(cutThroughEnd(total, total)).toBe(total);
  });
});

describe("verified cut-through in a run", () => {
  it("passes peer bytes on before their segment is whole where the digest service serves the swarm only", () => {
    const served = { ...scenarios()["live-100"]!, durationSec: 30, seed: 1 };
    expect(served.viewers).toBeGreaterThanOrEqual(DEFAULT_DIGEST_OPTIONS.minSwarmSize);
    const cut = runSimulation(served);
    expect(cut.trust.verified["server-digest"]).toBeGreaterThan(0);
    expect(cut.trust.cutThroughBytes).toBeGreaterThan(0);
    const hold = runSimulation({ ...served, trust: "ladder-hold" });
    expect(hold.trust.cutThroughBytes).toBe(0);
    // Below the min swarm there are no chunk digests: the spot checks judge whole segments.
    const small = runSimulation({ ...scenarios()["node-10"]!, durationSec: 20, seed: 3 });
    expect(small.trust.verified["spot-check"]).toBeGreaterThan(0);
    expect(small.trust.cutThroughBytes).toBe(0);
  });
});

// The digest service against a real test origin (VOD): right digests, one origin download per
// segment, and no fetch for anything the asker may not make it fetch.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DIGEST_CHUNK_BYTES, type DigestAsk } from "nearcast";
import { parseMetrics, sample } from "../stats/prometheus-text.js";
import { startTestOrigin } from "../../support/test-origin.js";
import {
  chunkDigestsOfFile,
  peerIdHex,
  postDigests,
  sha256OfFile,
  startDigestHarness,
  swarmKeyOf,
  type DigestHarness,
  type Member,
} from "./digest-harness.js";

describe("digest service: VOD digests and who may ask", () => {
  let h: DigestHarness;
  let manifestUrl: string;
  let playlistUrl: string;
  let member: Member;
  const ask = (path: string, extra: Partial<DigestAsk> = {}): DigestAsk => ({
    swarmKey: member.swarmKey,
    peerId: member.peerId,
    manifestUrl,
    playlistUrl,
    url: `${h.origin.url}${path}`,
    ...extra,
  });
  const segmentRequests = (path: string) => h.origin.log.filter((entry) => entry.path === path).length;

  beforeAll(async () => {
    h = await startDigestHarness();
    manifestUrl = `${h.origin.url}/s/vod/ts-ladder/master.m3u8`;
    playlistUrl = `${h.origin.url}/s/vod/ts-ladder/144p/index.m3u8`;
    member = await h.join(swarmKeyOf(manifestUrl));
  });
  afterAll(() => h.close());

  it("answers the SHA-256, chunk digests and length of the origin's bytes: segments, byte ranges, init segments", async () => {
    const client = h.client();
    const segment = "/s/vod/ts-ladder/144p/seg-004.ts";
    const whole = await client.get(ask(segment));
    expect(whole).toEqual({
      ok: true,
      sha256: sha256OfFile(h.origin.filePathOf(segment)),
      bytes: expect.any(Number) as number,
      chunks: chunkDigestsOfFile(h.origin.filePathOf(segment)),
    });

    // Single-file fMP4: the MAP's BYTERANGE and a segment whose range continues the previous one.
    const singleManifest = `${h.origin.url}/s/vod/fmp4-single/master.m3u8`;
    const single = await h.join(swarmKeyOf(singleManifest));
    const file = "/s/vod/fmp4-single/144p/index.m4s";
    const singleAsk = (range: [number, number]): DigestAsk => ({
      swarmKey: single.swarmKey,
      peerId: single.peerId,
      manifestUrl: singleManifest,
      playlistUrl: `${h.origin.url}/s/vod/fmp4-single/144p/index.m3u8`,
      url: `${h.origin.url}${file}`,
      byteRange: { start: range[0], end: range[1] },
    });
    const [init, second] = await Promise.all([
      client.get(singleAsk([0, 1353])),
      client.get(singleAsk([1353 + 29983, 1353 + 29983 + 35685])),
    ]);
    expect(init).toEqual({
      ok: true,
      sha256: sha256OfFile(h.origin.filePathOf(file), [0, 1353]),
      bytes: 1353,
      chunks: chunkDigestsOfFile(h.origin.filePathOf(file), [0, 1353]),
    });
    expect(second).toEqual({
      ok: true,
      sha256: sha256OfFile(h.origin.filePathOf(file), [31336, 31336 + 35685]),
      bytes: 35685,
      chunks: chunkDigestsOfFile(h.origin.filePathOf(file), [31336, 31336 + 35685]),
    });
    // Both came in one request (batched) and each range was fetched as a range.
    expect(client.getStats().requests).toBe(2);
    expect(
      h.origin.log
        .filter((entry) => entry.path === file)
        .map((entry) => entry.range)
        .sort(),
    ).toEqual(["bytes=0-1352", "bytes=31336-67020"]);
  });

  it("downloads each segment from the origin once, however many members ask", async () => {
    const other = await h.join(member.swarmKey);
    const paths = [5, 6, 7].map((i) => `/s/vod/ts-ladder/144p/seg-00${i}.ts`);
    const [a, b] = [h.client(), h.client()];
    const answers = await Promise.all([
      ...paths.map((path) => a.get(ask(path))),
      ...paths.map((path) => b.get(ask(path, { peerId: other.peerId }))),
      ...paths.map((path) => a.get(ask(path))),
    ]);
    for (const answer of answers) expect(answer.ok).toBe(true);
    for (const path of paths) expect(segmentRequests(path), path).toBe(1);
  });

  it("fetches a listed segment from the host the playlist names, never from the asker's", async () => {
    const decoy = await startTestOrigin();
    try {
      const path = "/s/vod/ts-ladder/144p/seg-008.ts";
      const answer = await h.client().get(ask(path, { url: `${decoy.url}${path}` }));
      expect(answer).toMatchObject({ ok: true, sha256: sha256OfFile(h.origin.filePathOf(path)) });
      expect(decoy.log).toEqual([]);
    } finally {
      await decoy.close();
    }
  });

  it("refuses segments its playlist does not list, without fetching them", async () => {
    const client = h.client();
    const notListed = [
      "/s/vod/ts-ladder/144p/seg-099.ts",
      "/s/vod/ts-ladder/216p/seg-001.ts",
      "/s/vod/ts-ladder/144p/seg-001.ts?v=other",
    ];
    for (const path of notListed) {
      expect(await client.get(ask(path)), path).toEqual({
        ok: false,
        reason: "refused",
        detail: "not_in_playlist",
      });
    }
    const wrongRange = await client.get(
      ask("/s/vod/ts-ladder/144p/seg-002.ts", { byteRange: { start: 0, end: 10 } }),
    );
    expect(wrongRange).toEqual({ ok: false, reason: "refused", detail: "not_in_playlist" });
    for (const path of ["seg-099.ts", "seg-001.ts", "seg-002.ts"]) {
      expect(segmentRequests(`/s/vod/ts-ladder/144p/${path}`), path).toBe(0);
    }
    expect(segmentRequests("/s/vod/ts-ladder/216p/seg-001.ts")).toBe(0);
  });

  it("refuses playlists of streams it does not track, without fetching them", async () => {
    const foreign = `${h.origin.url}/s/vod/fmp4-ladder/144p/index.m3u8`;
    const cases: [Partial<DigestAsk>, string][] = [
      [
        { playlistUrl: foreign, url: `${h.origin.url}/s/vod/fmp4-ladder/144p/seg-001.m4s` },
        "not listed by the manifest",
      ],
      [
        { manifestUrl: `${h.origin.url}/s/vod/fmp4-ladder/master.m3u8`, playlistUrl: foreign },
        "another stream's manifest",
      ],
      [{ manifestUrl: undefined }, "no manifest and no allowed origin"],
    ];
    for (const [extra, why] of cases) {
      const answer = await h.client().get(ask("/s/vod/ts-ladder/144p/seg-001.ts", extra));
      expect(answer, why).toEqual({ ok: false, reason: "rejected", detail: "403 stream_not_tracked" });
    }
    expect(h.origin.log.filter((entry) => entry.path.startsWith("/s/vod/fmp4-ladder/144p/"))).toEqual([]);
  });

  it("refuses non-members: an unknown peer_id, a member of another swarm, one that left", async () => {
    const stranger = await h.join(swarmKeyOf(`${h.origin.url}/s/vod/fmp4-ladder/master.m3u8`));
    const leaver = await h.join(member.swarmKey);
    await leaver.leave();
    const before = h.origin.log.length;
    for (const peerId of ["-NC0100-notannounced", stranger.peerId, leaver.peerId]) {
      const answer = await h.client().get(ask("/s/vod/ts-ladder/144p/seg-009.ts", { peerId }));
      expect(answer, peerId).toEqual({ ok: false, reason: "rejected", detail: "403 not_member" });
    }
    expect(h.origin.log.length).toBe(before);
  });

  it("counts every refusal by reason in /metrics", async () => {
    const body = {
      swarmKey: member.swarmKey,
      peerId: "00".repeat(20),
      playlistUrl,
      segments: [{ url: playlistUrl }],
    };
    expect((await postDigests(h.serviceUrl, body)).status).toBe(403);
    expect(await postDigests(h.serviceUrl, "{not json")).toMatchObject({
      status: 400,
      json: { reason: "bad_request" },
    });
    const huge = { ...body, segments: [{ url: `https://a.example/${"x".repeat(70_000)}` }] };
    expect(await postDigests(h.serviceUrl, huge)).toMatchObject({
      status: 413,
      json: { reason: "body_too_large" },
    });
    const metrics = parseMetrics(await (await fetch(`${h.server.url}/metrics`)).text());
    for (const result of ["not_member", "bad_request", "body_too_large", "served", "stream_not_tracked"]) {
      expect(sample(metrics, "nearcast_digest_requests_total", { result }), result).toBeGreaterThan(0);
    }
    expect(
      sample(metrics, "nearcast_digest_segments_total", { status: "refused", reason: "not_in_playlist" }),
    ).toBeGreaterThan(0);
    expect(sample(metrics, "nearcast_digest_origin_bytes_total", { kind: "segment" })).toBeGreaterThan(0);
  });

  it("answers a raw request in the documented shape", async () => {
    const url = `${h.origin.url}/s/vod/ts-ladder/144p/seg-000.ts`;
    const body = {
      swarmKey: member.swarmKey,
      peerId: peerIdHex(member.peerId),
      manifestUrl,
      playlistUrl,
      segments: [{ url }],
    };
    const { status, json } = await postDigests(h.serviceUrl, body);
    expect(status).toBe(200);
    expect(json).toEqual({
      served: true,
      digests: [
        {
          status: "ok",
          sha256: sha256OfFile(h.origin.filePathOf(new URL(url).pathname)),
          bytes: expect.any(Number),
          chunkBytes: DIGEST_CHUNK_BYTES,
          chunks: Buffer.from(chunkDigestsOfFile(h.origin.filePathOf(new URL(url).pathname)).sha256).toString(
            "base64",
          ),
        },
      ],
    });
  });
});

describe("digest service: when it does not serve", () => {
  let h: DigestHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("leaves swarms below the threshold to spot checks, without an origin request", async () => {
    h = await startDigestHarness({ digests: { minSwarmSize: 2 } });
    const manifestUrl = `${h.origin.url}/s/vod/ts-ladder/master.m3u8`;
    const first = await h.join(swarmKeyOf(manifestUrl));
    const query: DigestAsk = {
      swarmKey: first.swarmKey,
      peerId: first.peerId,
      manifestUrl,
      playlistUrl: `${h.origin.url}/s/vod/ts-ladder/144p/index.m3u8`,
      url: `${h.origin.url}/s/vod/ts-ladder/144p/seg-001.ts`,
    };
    expect(await h.client().get(query)).toEqual({
      ok: false,
      reason: "spot_checks",
      detail: "small_swarm: swarm 1 < 2",
    });
    expect(h.origin.log).toEqual([]);
    await h.join(first.swarmKey);
    expect(await h.client().get(query)).toMatchObject({ ok: true });
  });

  it("refuses private and loopback destinations unless the operator allows them", async () => {
    h = await startDigestHarness({ digests: { allowPrivate: [] } });
    const port = new URL(h.origin.url).port;
    for (const host of ["127.0.0.1", "localhost"]) {
      const manifestUrl = `http://${host}:${port}/s/vod/ts-ladder/master.m3u8`;
      const member = await h.join(swarmKeyOf(manifestUrl));
      const answer = await h.client().get({
        swarmKey: member.swarmKey,
        peerId: member.peerId,
        manifestUrl,
        playlistUrl: `http://${host}:${port}/s/vod/ts-ladder/144p/index.m3u8`,
        url: `http://${host}:${port}/s/vod/ts-ladder/144p/seg-001.ts`,
      });
      expect(answer, host).toEqual({ ok: false, reason: "rejected", detail: "403 address_not_allowed" });
    }
    expect(h.origin.log).toEqual([]);
  });

  it("serves a page's own streamId on an allowed origin, and refuses other origins then", async () => {
    h = await startDigestHarness({ digests: (originUrl) => ({ allowedOrigins: [originUrl] }) });
    const member = await h.join("my-stream-id|v1");
    const query: DigestAsk = {
      swarmKey: member.swarmKey,
      peerId: member.peerId,
      playlistUrl: `${h.origin.url}/s/vod/ts-ladder/144p/index.m3u8`,
      url: `${h.origin.url}/s/vod/ts-ladder/144p/seg-001.ts`,
    };
    expect(await h.client().get(query)).toMatchObject({ ok: true });
    const elsewhere = `http://localhost:${new URL(h.origin.url).port}/s/vod/ts-ladder/144p/index.m3u8`;
    expect(await h.client().get({ ...query, playlistUrl: elsewhere })).toEqual({
      ok: false,
      reason: "rejected",
      detail: "403 origin_not_allowed",
    });
  });

  it("limits each member's request rate, and serves other members during one member's flood", async () => {
    h = await startDigestHarness({
      digests: { sessionRateLimit: { perSec: 1, burst: 3 }, ipRateLimit: { perSec: 1000, burst: 1000 } },
    });
    const manifestUrl = `${h.origin.url}/s/vod/ts-ladder/master.m3u8`;
    const [flooder, honest] = [await h.join(swarmKeyOf(manifestUrl)), await h.join(swarmKeyOf(manifestUrl))];
    const body = (member: Member, segment: string) => ({
      swarmKey: member.swarmKey,
      peerId: peerIdHex(member.peerId),
      manifestUrl,
      playlistUrl: `${h!.origin.url}/s/vod/ts-ladder/144p/index.m3u8`,
      segments: [{ url: `${h!.origin.url}/s/vod/ts-ladder/144p/${segment}` }],
    });
    const serviceUrl = h.serviceUrl;
    const flood = Array.from({ length: 12 }, () => postDigests(serviceUrl, body(flooder, "seg-001.ts")));
    const honestAnswers = [0, 1, 2].map((i) => postDigests(serviceUrl, body(honest, `seg-00${i + 2}.ts`)));
    const flooded = await Promise.all(flood);
    const refused = flooded.filter((answer) => answer.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(12 - 3 - 1);
    expect(refused[0]).toMatchObject({ json: { reason: "rate_limited" }, retryAfter: "1" });
    for (const answer of await Promise.all(honestAnswers)) {
      expect(answer).toMatchObject({ status: 200, json: { served: true, digests: [{ status: "ok" }] } });
    }
  });

  it("limits requests per client address before reading them", async () => {
    h = await startDigestHarness({ digests: { ipRateLimit: { perSec: 1, burst: 2 } } });
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await postDigests(h.serviceUrl, "{}"));
    expect(answers.map((answer) => answer.status)).toEqual([400, 400, 429]);
    expect(answers[2]).toMatchObject({ json: { reason: "rate_limited" } });
  });

  it("answers 404 when switched off", async () => {
    h = await startDigestHarness({ digests: { minSwarmSize: 0 } });
    const response = await fetch(h.serviceUrl, { method: "POST", body: "{}" });
    expect(response.status).toBe(404);
  });
});

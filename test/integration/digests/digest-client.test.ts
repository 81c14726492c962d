// The SDK's digest client against the real service: batching, deduplication, caching, its own
// deadline, its bounds, a service that is not there, and destroy() — never a throw.
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DigestClient, type DigestAsk } from "nearcast";
import { sleep } from "../../support/wait-for.js";
import {
  sha256OfFile,
  startDigestHarness,
  swarmKeyOf,
  type DigestHarness,
  type Member,
} from "./digest-harness.js";

const SLOW_MS = 1500;

describe("DigestClient", () => {
  let h: DigestHarness;
  let member: Member;
  const ask = (segment: string): DigestAsk => ({
    swarmKey: member.swarmKey,
    peerId: member.peerId,
    manifestUrl: `${h.origin.url}/s/vod/ts-ladder/master.m3u8`,
    playlistUrl: `${h.origin.url}/s/vod/ts-ladder/144p/index.m3u8`,
    url: `${h.origin.url}/s/vod/ts-ladder/144p/${segment}`,
  });

  beforeAll(async () => {
    // Two listed segments of the ladder (008, 009) answer slowly.
    h = await startDigestHarness({
      origin: {
        routes: [
          {
            prefix: "/s/vod/ts-ladder/144p/seg-00",
            answer: async (url) => {
              if (/seg-00[89]\.ts$/.test(url.pathname))
                await new Promise((resolve) => setTimeout(resolve, SLOW_MS));
              return { kind: "media", file: h.origin.filePathOf(url.pathname) };
            },
            sourceOf: () => {
              throw new Error("not used");
            },
          },
        ],
      },
      digests: { maxWaitMs: 5000 },
    });
    member = await h.join(swarmKeyOf(`${h.origin.url}/s/vod/ts-ladder/master.m3u8`));
  });
  afterAll(() => h.close());

  it("sends concurrent asks in one request, the same segment once, and answers repeats from its cache", async () => {
    const client = h.client();
    const segments = ["seg-000.ts", "seg-001.ts", "seg-002.ts", "seg-001.ts"];
    const answers = await Promise.all(segments.map((segment) => client.get(ask(segment))));
    answers.forEach((answer, i) =>
      expect(answer).toMatchObject({
        ok: true,
        sha256: sha256OfFile(h.origin.filePathOf(`/s/vod/ts-ladder/144p/${segments[i]!}`)),
      }),
    );
    expect(await client.get(ask("seg-002.ts"))).toMatchObject({ ok: true });
    expect(client.getStats()).toMatchObject({ asks: 5, requests: 1, cacheHits: 1, outcomes: { ok: 5 } });
  });

  it("ends an ask at its own deadline, whatever the service does", async () => {
    const client = h.client({ timeoutMs: 300, serverWaitMs: 5000 });
    const began = Date.now();
    expect(await client.get(ask("seg-009.ts"))).toEqual({ ok: false, reason: "timeout" });
    expect(Date.now() - began).toBeLessThan(SLOW_MS);
  });

  it("answers 'busy' beyond its bound of pending asks", async () => {
    const client = h.client({ maxPendingAsks: 1, timeoutMs: 3000 });
    const first = client.get(ask("seg-003.ts"));
    expect(await client.get(ask("seg-004.ts"))).toEqual({ ok: false, reason: "busy" });
    expect(await first).toMatchObject({ ok: true });
  });

  it("answers 'network' for a service that is not there, and never throws", async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const client = new DigestClient({ serviceUrl: `http://127.0.0.1:${closed}/api/digests` });
    expect(await client.get(ask("seg-005.ts"))).toEqual({ ok: false, reason: "network" });
    client.destroy();
  });

  it("answers every pending ask 'destroyed' on destroy(), and nothing after", async () => {
    const client = h.client({ timeoutMs: 5000, serverWaitMs: 4000 });
    const sent = client.get(ask("seg-008.ts"));
    // Long enough for the batch to go out; the origin holds that segment for SLOW_MS.
    await sleep(50);
    const batched = client.get(ask("seg-007.ts"));
    client.destroy();
    client.destroy();
    expect(await sent).toEqual({ ok: false, reason: "destroyed" });
    expect(await batched).toEqual({ ok: false, reason: "destroyed" });
    expect(client.getStats().requests).toBe(1);
    expect(await client.get(ask("seg-006.ts"))).toEqual({ ok: false, reason: "destroyed" });
  });
});

// Tokenised and credentialed CDNs: the service fetches with the asker's own URL (its token) where
// the key matches what the playlist lists, keeps a playlist URL that works when another asker's
// token fails, and sends operator headers to their origin.
import { readFileSync } from "node:fs";
import type http from "node:http";
import { afterEach, expect, it } from "vitest";
import type { DigestAsk } from "nearcast";
import { TEST_MEDIA_DIR, type OriginRoute, type RouteAnswer } from "../../support/test-origin.js";
import {
  sha256OfFile,
  startDigestHarness,
  swarmKeyOf,
  type DigestHarness,
  type Member,
} from "./digest-harness.js";

const VALID_TOKENS = new Set(["alice", "bob"]);
const LADDER = `${TEST_MEDIA_DIR}/ts-ladder`;

/** Appends `?token=` to every URI line of a playlist. */
function withToken(text: string, token: string): string {
  return text
    .split("\n")
    .map((line) => (line.trim() === "" || line.startsWith("#") ? line : `${line}?token=${token}`))
    .join("\n");
}

/**
 * `<prefix>master.m3u8`, `<prefix>144p/index.m3u8` and its segments (ts-ladder, VOD). Every request
 * needs `?token=` of a known viewer (playlists list URIs with the requester's token), and with
 * `key` also the `X-CDN-Key` header.
 */
function tokenRoute(prefix: string, key?: string): OriginRoute {
  return {
    prefix,
    answer(url: URL, req: http.IncomingMessage): RouteAnswer {
      const token = url.searchParams.get("token") ?? "";
      if (!VALID_TOKENS.has(token)) return { kind: "status", status: 403, text: "bad token" };
      if (key !== undefined && req.headers["x-cdn-key"] !== key)
        return { kind: "status", status: 403, text: "no key" };
      const rest = url.pathname.slice(prefix.length);
      if (rest === "master.m3u8")
        return { kind: "playlist", text: withToken(readFileSync(`${LADDER}/master.m3u8`, "utf8"), token) };
      if (rest === "144p/index.m3u8") {
        return {
          kind: "playlist",
          text: withToken(readFileSync(`${LADDER}/144p/index.m3u8`, "utf8"), token),
        };
      }
      if (/^144p\/seg-\d{3}\.ts$/.test(rest)) return { kind: "media", file: `${LADDER}/${rest}` };
      return { kind: "status", status: 404, text: "not found" };
    },
    sourceOf: () => {
      throw new Error("not used");
    },
  };
}

let h: DigestHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function asker(harness: DigestHarness, member: Member, prefix: string, token: string) {
  const base = `${harness.origin.url}${prefix}`;
  return (segment: string): DigestAsk => ({
    swarmKey: member.swarmKey,
    peerId: member.peerId,
    manifestUrl: `${base}master.m3u8?token=${token}`,
    playlistUrl: `${base}144p/index.m3u8?token=${token}`,
    url: `${base}144p/${segment}?token=${token}`,
  });
}

it("fetches with each asker's own token, and keeps working when one asker's token is bad", async () => {
  h = await startDigestHarness({ origin: { routes: [tokenRoute("/tok/")] } });
  const harness = h;
  // Every viewer's manifest URL has its own token; the stream key (and so the swarm) drops it.
  const swarmKey = swarmKeyOf(`${harness.origin.url}/tok/master.m3u8`);
  const [alice, bob, mallory] = [
    await harness.join(swarmKey),
    await harness.join(swarmKey),
    await harness.join(swarmKey),
  ];
  const client = harness.client();
  const expected = (segment: string) => sha256OfFile(`${LADDER}/144p/${segment}`);
  const tokensUsed = (segment: string) =>
    harness.origin.log.filter((entry) => entry.path === `/tok/144p/${segment}`).map((entry) => entry.token);

  expect(await client.get(asker(harness, alice, "/tok/", "alice")("seg-001.ts"))).toMatchObject({
    ok: true,
    sha256: expected("seg-001.ts"),
  });
  expect(await client.get(asker(harness, bob, "/tok/", "bob")("seg-002.ts"))).toMatchObject({
    ok: true,
    sha256: expected("seg-002.ts"),
  });
  expect(tokensUsed("seg-001.ts")).toEqual(["alice"]);
  expect(tokensUsed("seg-002.ts")).toEqual(["bob"]);

  // Mallory's token is refused by the CDN: her ask fails, and is not remembered against the segment.
  expect(await client.get(asker(harness, mallory, "/tok/", "mallory")("seg-003.ts"))).toEqual({
    ok: false,
    reason: "unavailable",
    detail: "origin_status 403",
  });
  expect(await client.get(asker(harness, bob, "/tok/", "bob")("seg-003.ts"))).toMatchObject({
    ok: true,
    sha256: expected("seg-003.ts"),
  });
  expect(tokensUsed("seg-003.ts")).toEqual(["mallory", "bob"]);
});

it("sends operator-configured headers to a credentialed CDN, and only with them gets its bytes", async () => {
  const key = "s3cret";
  h = await startDigestHarness({
    origin: { routes: [tokenRoute("/cred/", key)] },
    digests: (originUrl) => ({ originHeaders: { [originUrl]: { "X-CDN-Key": key } } }),
  });
  const member = await h.join(swarmKeyOf(`${h.origin.url}/cred/master.m3u8`));
  expect(await h.client().get(asker(h, member, "/cred/", "alice")("seg-004.ts"))).toMatchObject({
    ok: true,
    sha256: sha256OfFile(`${LADDER}/144p/seg-004.ts`),
  });
  await h.close();

  h = await startDigestHarness({ origin: { routes: [tokenRoute("/cred/", key)] } });
  const without = await h.join(swarmKeyOf(`${h.origin.url}/cred/master.m3u8`));
  expect(await h.client().get(asker(h, without, "/cred/", "alice")("seg-004.ts"))).toEqual({
    ok: false,
    reason: "rejected",
    detail: "502 manifest_unavailable",
  });
});

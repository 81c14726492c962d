// The digest service when the origin lets it down: a slow origin costs an asker at most its wait, a
// down one answers "unavailable" at once, and a truncated response never becomes a digest.
import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { DigestAsk } from "nearcast";
import { DigestClient } from "nearcast";
import { startServer, type RunningServer } from "../../../demo-server/src/server.js";
import { announce, type Member } from "./digest-harness.js";

type Behaviour =
  "ok" | "slow" | "reset" | "503" | "short-length" | "short-chunked" | "short-206" | "no-length";

/** A raw origin: one media playlist (also the manifest) listing `seg-0.ts`…`seg-3.ts`, whose segment
 *  responses misbehave as told. */
async function startFaultOrigin() {
  const segments = [0, 1, 2, 3].map(() => randomBytes(48 * 1024));
  const behaviours = new Map<string, Behaviour>();
  let slowPlaylist = false;
  let failingPlaylist = false;
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://o").pathname;
    requests.push(path);
    if (path === "/index.m3u8" && failingPlaylist) return res.writeHead(503).end("down");
    if (path === "/index.m3u8") {
      const lines = ["#EXTM3U", "#EXT-X-TARGETDURATION:2", "#EXT-X-PLAYLIST-TYPE:VOD"];
      segments.forEach((_, i) => lines.push("#EXTINF:2,", `seg-${i}.ts`));
      lines.push("#EXT-X-ENDLIST");
      const send = () =>
        res.writeHead(200, { "Content-Type": "application/vnd.apple.mpegurl" }).end(lines.join("\n"));
      return void (slowPlaylist ? setTimeout(send, 1500) : send());
    }
    const body = segments[Number(/^\/seg-(\d)\.ts$/.exec(path)?.[1] ?? -1)];
    if (body === undefined) return res.writeHead(404).end();
    const half = body.subarray(0, body.length / 2);
    switch (behaviours.get(path) ?? "ok") {
      case "ok":
        return res.writeHead(200, { "Content-Length": String(body.length) }).end(body);
      case "slow":
        return void setTimeout(
          () => res.writeHead(200, { "Content-Length": String(body.length) }).end(body),
          1500,
        );
      case "reset":
        return res.socket?.resetAndDestroy();
      case "503":
        return res.writeHead(503).end("busy");
      case "short-length":
        // Declares the full length, sends half, and drops the connection.
        res.writeHead(200, { "Content-Length": String(body.length) });
        return res.write(half, () => res.socket?.destroy());
      case "short-chunked":
        // 200, chunked, ends cleanly after half: indistinguishable from a whole body without a length.
        return res.writeHead(200).end(half);
      case "short-206":
        // Honours the Range with a 206 stating the full size, chunked, ends cleanly after half.
        return res.writeHead(206, { "Content-Range": `bytes 0-${body.length - 1}/${body.length}` }).end(half);
      case "no-length":
        return res.writeHead(200).end(body);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    behave: (segment: number, behaviour: Behaviour) => behaviours.set(`/seg-${segment}.ts`, behaviour),
    slowPlaylist: () => (slowPlaylist = true),
    failPlaylist: () => (failingPlaylist = true),
    sha256: (segment: number) => createHash("sha256").update(segments[segment]!).digest("hex"),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe("digest service when the origin is slow, down or truncates", () => {
  let origin: Awaited<ReturnType<typeof startFaultOrigin>>;
  let server: RunningServer;
  let member: Member;
  const clients: DigestClient[] = [];
  const ask = (segment: number): DigestAsk => ({
    swarmKey: member.swarmKey,
    peerId: member.peerId,
    manifestUrl: `${origin.url}/index.m3u8`,
    playlistUrl: `${origin.url}/index.m3u8`,
    url: `${origin.url}/seg-${segment}.ts`,
  });
  const client = (timeoutMs: number, serverWaitMs: number) => {
    const made = new DigestClient({ serviceUrl: `${server.url}/api/digests`, timeoutMs, serverWaitMs });
    clients.push(made);
    return made;
  };
  const start = async (
    failureTtlMs = 2000,
    limits: { maxConcurrentFetches?: number; maxQueuedFetches?: number } = {},
  ) => {
    origin = await startFaultOrigin();
    server = await startServer({
      port: 0,
      host: "127.0.0.1",
      origin: false,
      digests: {
        minSwarmSize: 1,
        allowPrivate: [`127.0.0.1:${new URL(origin.url).port}`],
        failureTtlMs,
        maxWaitMs: 5000,
        ...limits,
      },
    });
    member = await announce(server.url, `${origin.url}/index.m3u8|v1`);
  };

  afterEach(async () => {
    for (const made of clients.splice(0)) made.destroy();
    await member.leave();
    await server.close();
    await origin.close();
  });

  it.each([
    ["a segment", 1, "/seg-1.ts"],
    ["the playlist", 0, "/index.m3u8"],
  ] as const)(
    "answers 'pending' within the asker's wait while a slow origin sends %s, then the digest",
    async (_what, segment, slowPath) => {
      await start();
      if (slowPath === "/index.m3u8") origin.slowPlaylist();
      else origin.behave(segment, "slow");
      const began = Date.now();
      expect(await client(2000, 300).get(ask(segment))).toEqual({ ok: false, reason: "pending" });
      expect(Date.now() - began).toBeLessThan(1500);
      // The fetch went on: an ask willing to wait gets its result, from the same one origin request.
      expect(await client(6000, 5000).get(ask(segment))).toMatchObject({
        ok: true,
        sha256: origin.sha256(segment),
        bytes: 48 * 1024,
      });
      expect(origin.requests.filter((path) => path === slowPath)).toHaveLength(1);
    },
  );

  it("holds origin fetches to its bound: beyond it, 'overloaded' at once, and not remembered", async () => {
    await start(2000, { maxConcurrentFetches: 1, maxQueuedFetches: 0 });
    origin.behave(1, "slow");
    const asker = client(3000, 300);
    const [slow, refused] = await Promise.all([asker.get(ask(1)), asker.get(ask(0))]);
    expect(slow).toEqual({ ok: false, reason: "pending" });
    expect(refused).toEqual({ ok: false, reason: "unavailable", detail: "overloaded" });
    expect(origin.requests.filter((path) => path.startsWith("/seg-"))).toEqual(["/seg-1.ts"]);
    expect(await client(6000, 5000).get(ask(1))).toMatchObject({ ok: true });
    expect(await asker.get(ask(0))).toMatchObject({ ok: true, sha256: origin.sha256(0), bytes: 48 * 1024 });
  });

  it("answers 'unavailable' at once when the origin resets, fails or is gone", async () => {
    await start();
    origin.behave(0, "reset");
    origin.behave(1, "503");
    const fast = client(3000, 2000);
    const began = Date.now();
    expect(await fast.get(ask(0))).toEqual({
      ok: false,
      reason: "unavailable",
      detail: "origin_unreachable",
    });
    expect(await fast.get(ask(1))).toEqual({ ok: false, reason: "unavailable", detail: "origin_status 503" });
    await origin.close();
    expect(await fast.get(ask(2))).toEqual({
      ok: false,
      reason: "unavailable",
      detail: "origin_unreachable",
    });
    expect(Date.now() - began).toBeLessThan(1500);
  });

  it("answers 'playlist unavailable' at once when the origin is down before the first ask", async () => {
    await start();
    await origin.close();
    const began = Date.now();
    expect(await client(3000, 2000).get(ask(0))).toEqual({
      ok: false,
      reason: "rejected",
      // The manifest is this media playlist itself, so the playlist fetch is the one that fails.
      detail: "502 playlist_unavailable",
    });
    expect(Date.now() - began).toBeLessThan(1000);
  });

  it("costs a failing origin a few playlist requests however many ask at once", async () => {
    await start();
    origin.failPlaylist();
    const answers = await Promise.all(Array.from({ length: 8 }, () => client(3000, 2000).get(ask(0))));
    for (const answer of answers) {
      expect(answer).toEqual({ ok: false, reason: "rejected", detail: "502 playlist_unavailable" });
    }
    expect(origin.requests.filter((path) => path === "/index.m3u8").length).toBeLessThanOrEqual(2);
  });

  it("never turns a truncated or unprovable body into a digest", async () => {
    await start(0);
    const cases: [number, Behaviour, string][] = [
      [0, "short-length", "length_mismatch"],
      [1, "short-chunked", "length_unknown"],
      [2, "short-206", "length_mismatch"],
      [3, "no-length", "length_unknown"],
    ];
    const asker = client(3000, 2000);
    for (const [segment, behaviour, reason] of cases) {
      origin.behave(segment, behaviour);
      expect(await asker.get(ask(segment)), behaviour).toEqual({
        ok: false,
        reason: "unavailable",
        detail: reason,
      });
    }
    // Nothing wrong was remembered: once the origin answers properly, the digest is the right one.
    for (const [segment] of cases) {
      origin.behave(segment, "ok");
      expect(await asker.get(ask(segment))).toMatchObject({
        ok: true,
        sha256: origin.sha256(segment),
        bytes: 48 * 1024,
      });
    }
  });
});

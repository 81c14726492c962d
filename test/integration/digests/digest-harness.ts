// A real nearcast-server (port 0, demo origin off) with its digest service, a real test origin on
// another port, and tracker members announced over real WebSockets: what the digest tests share.
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { WebSocket } from "ws";
import { DIGEST_CHUNK_BYTES, DigestClient, type DigestClientOptions } from "nearcast";
import type { DigestServiceOptions } from "../../../demo-server/src/digests/digest-options.js";
import { startServer, type RunningServer } from "../../../demo-server/src/server.js";
import { chunkDigestsOf } from "../../support/chunk-digests.js";
import { startTestOrigin, type TestOrigin, type TestOriginOptions } from "../../support/test-origin.js";

export interface Member {
  /** The 20-character peer_id as the tracker knows it. */
  peerId: string;
  swarmKey: string;
  leave(): Promise<void>;
}

export interface DigestHarness {
  server: RunningServer;
  origin: TestOrigin;
  serviceUrl: string;
  /** Announces a new peer into the swarm of `swarmKey` over the tracker WebSocket. */
  join(swarmKey: string): Promise<Member>;
  client(options?: Partial<DigestClientOptions>): DigestClient;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Digest options (or made from the test origin's URL); its address is allowed unless `allowPrivate` is given. */
  digests?: Partial<DigestServiceOptions> | ((originUrl: string) => Partial<DigestServiceOptions>);
  origin?: TestOriginOptions;
}

/** `<manifest>|<rendition>` as the SDK builds a swarm key for the default stream key. */
export function swarmKeyOf(manifestUrl: string, rendition = "v1"): string {
  return `${manifestUrl}|${rendition}`;
}

export async function startDigestHarness(options: HarnessOptions = {}): Promise<DigestHarness> {
  const origin = await startTestOrigin(options.origin);
  const originPort = new URL(origin.url).port;
  const server = await startServer({
    port: 0,
    host: "127.0.0.1",
    origin: false,
    digests: {
      minSwarmSize: 1,
      allowPrivate: [`127.0.0.1:${originPort}`],
      ...(typeof options.digests === "function" ? options.digests(origin.url) : options.digests),
    },
  });
  const serviceUrl = `${server.url}/api/digests`;
  const members: Member[] = [];
  const clients: DigestClient[] = [];
  return {
    server,
    origin,
    serviceUrl,
    async join(swarmKey) {
      const member = await announce(server.url, swarmKey);
      members.push(member);
      return member;
    },
    client(clientOptions = {}) {
      const client = new DigestClient({ serviceUrl, ...clientOptions });
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) client.destroy();
      for (const member of members) await member.leave();
      await server.close();
      await origin.close();
    },
  };
}

/** Announces a new peer into the swarm of `swarmKey` on the tracker of the server at `serverUrl`. */
export async function announce(serverUrl: string, swarmKey: string): Promise<Member> {
  const ws = new WebSocket(`${serverUrl.replace(/^http/, "ws")}/tracker`);
  ws.on("error", () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  const peerId = `-NC0100-${randomBytes(6).toString("hex")}`;
  const infoHash = createHash("sha1").update(swarmKey).digest().toString("latin1");
  const answered = new Promise<void>((resolve) => ws.once("message", () => resolve()));
  ws.send(
    JSON.stringify({
      action: "announce",
      info_hash: infoHash,
      peer_id: peerId,
      numwant: 0,
      event: "started",
    }),
  );
  await answered;
  return {
    peerId,
    swarmKey,
    leave: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once("close", () => resolve());
        ws.close();
      }),
  };
}

/** A raw `POST /api/digests` with `body`, for statuses the client folds into reasons. */
export async function postDigests(
  serviceUrl: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown>; retryAfter: string | null }> {
  const response = await fetch(serviceUrl, {
    method: "POST",
    headers: { "Content-Type": "text/plain" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  return { status: response.status, json, retryAfter: response.headers.get("retry-after") };
}

/** The peer_id as the wire carries it in a digest request: hex of its 20 bytes. */
export function peerIdHex(peerId: string): string {
  return Buffer.from(peerId, "latin1").toString("hex");
}

/** SHA-256 of a file, or of `[start, end)` of it. */
/** The chunk digests the service should send for `file` (or `range` of it), as the client returns them. */
export function chunkDigestsOfFile(file: string, range?: [number, number]) {
  const all = readFileSync(file);
  const sha256 = chunkDigestsOf(range ? all.subarray(range[0], range[1]) : all);
  return { chunkBytes: DIGEST_CHUNK_BYTES, sha256: new Uint8Array(sha256) };
}

export function sha256OfFile(file: string, range?: [number, number]): string {
  const bytes = readFileSync(file);
  return createHash("sha256")
    .update(range ? bytes.subarray(range[0], range[1]) : bytes)
    .digest("hex");
}

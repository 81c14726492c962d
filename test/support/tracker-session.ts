// A viewer's tracker session for tests that post stats reports by hand: a real WebSocket to the
// server's tracker announces the swarms the reports will name, and the announce reply's `nearcast`
// field carries the session, exactly as the SDK receives it.
import { createHash, randomBytes } from "node:crypto";
import { WebSocket } from "ws";

export interface TrackerSessionHandle {
  /** The opaque session token (`nearcast.session` of the latest announce reply). */
  session: string;
  /** The peer_id announced, 40 hex characters (what other viewers' transfers name). */
  peerIdHex: string;
  /** Closes the tracker socket (the session stays valid until it expires). */
  close(): Promise<void>;
}

/** The info-hash of a swarm key, in the 20-char wire form the tracker protocol carries. */
export function wireInfoHash(swarmKey: string): string {
  return createHash("sha1").update(swarmKey, "utf8").digest().toString("latin1");
}

/**
 * Opens a tracker socket at `<serverUrl>/tracker` (extra `query`, e.g. a join token), announces
 * every swarm key in turn and resolves with the session of the last reply; rejects after
 * `timeoutMs` or on a failure reply.
 */
export async function trackerSession(
  serverUrl: string,
  swarmKeys: readonly string[],
  options: { query?: string; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<TrackerSessionHandle> {
  const url = `${serverUrl.replace(/^http/, "ws")}/tracker${options.query ? `?${options.query}` : ""}`;
  const ws = new WebSocket(url, { headers: options.headers });
  const closed = new Promise<void>((resolve) => ws.once("close", () => resolve()));
  ws.on("error", () => undefined);
  const peerId = randomBytes(20).toString("latin1");
  const timeoutMs = options.timeoutMs ?? 5_000;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`tracker socket did not open in ${timeoutMs} ms`)),
        timeoutMs,
      );
      ws.once("open", () => (clearTimeout(timer), resolve()));
      ws.once(
        "unexpected-response",
        (_req, res) => (clearTimeout(timer), reject(new Error(`HTTP ${res.statusCode}`))),
      );
    });
    let session = "";
    for (const key of swarmKeys) {
      const infoHash = wireInfoHash(key);
      ws.send(
        JSON.stringify({
          action: "announce",
          info_hash: infoHash,
          peer_id: peerId,
          numwant: 0,
          swarm_key: key,
        }),
      );
      session = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no announce reply in ${timeoutMs} ms`)), timeoutMs);
        const onMessage = (data: unknown) => {
          const frame = JSON.parse(String(data)) as Record<string, unknown>;
          if (frame.info_hash !== infoHash) return;
          ws.off("message", onMessage);
          clearTimeout(timer);
          const nearcast = frame.nearcast as { session?: string } | undefined;
          if (typeof frame["failure reason"] === "string") reject(new Error(String(frame["failure reason"])));
          else if (nearcast?.session === undefined) reject(new Error("announce reply without a session"));
          else resolve(nearcast.session);
        };
        ws.on("message", onMessage);
      });
    }
    return {
      session,
      peerIdHex: Buffer.from(peerId, "latin1").toString("hex"),
      close: async () => {
        ws.close();
        await closed;
      },
    };
  } catch (error) {
    ws.terminate();
    throw error;
  }
}

// What honest viewers measure while an attack runs: a pair of viewers on two networks of their own
// joins the attacked swarm, is introduced (offer relayed, answer back), and both report the transfer
// to the stats API with their sessions. Admission, introduction latency and report acceptance are
// what the abuse bench prints.
import { createHash, randomBytes } from "node:crypto";
import { WebSocket } from "ws";
import { postFrom } from "../../test/support/http-from.js";
import { statsReport } from "../../test/support/stats-reports.js";

export const RENDITION = "v842000-960x540-avc1.4d401f,mp4a.40.2";
/** Bytes each honest pair reports: A received them from B, B sent them; both fetched as much over HTTP. */
export const PAIR_BYTES = 100_000;
const STEP_TIMEOUT_MS = 20_000;
const SDP = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";

export interface PairResult {
  admitted: boolean;
  /** From B's announce to A holding B's answer. */
  introMs: number | undefined;
  reportStatuses: number[];
  reportMs: number[];
  error: string | undefined;
}

interface Viewer {
  ws: WebSocket;
  peerId: string;
  frames: Record<string, unknown>[];
  waiters: {
    match: (f: Record<string, unknown>) => boolean;
    resolve: (f: Record<string, unknown>) => void;
  }[];
}

function open(url: string, localAddress: string): Promise<Viewer> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { localAddress });
    const viewer: Viewer = { ws, peerId: randomBytes(20).toString("latin1"), frames: [], waiters: [] };
    ws.on("message", (data) => {
      const frame = JSON.parse(String(data)) as Record<string, unknown>;
      const waiter = viewer.waiters.find((w) => w.match(frame));
      if (waiter === undefined) viewer.frames.push(frame);
      else {
        viewer.waiters.splice(viewer.waiters.indexOf(waiter), 1);
        waiter.resolve(frame);
      }
    });
    ws.once("open", () => resolve(viewer));
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) =>
      reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)),
    );
  });
}

function next(
  viewer: Viewer,
  match: (f: Record<string, unknown>) => boolean,
  what: string,
): Promise<Record<string, unknown>> {
  const index = viewer.frames.findIndex(match);
  if (index !== -1) return Promise.resolve(viewer.frames.splice(index, 1)[0]!);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${what} in ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS);
    viewer.waiters.push({ match, resolve: (f) => (clearTimeout(timer), resolve(f)) });
  });
}

const hex = (binary: string) => Buffer.from(binary, "latin1").toString("hex");

/**
 * Honest pair number `index`: viewers on 127.1.<i>.1 and 127.2.<i>.1 (networks no attacker uses) in
 * the swarm of `streamId`.
 */
export async function honestPair(serverUrl: string, index: number, streamId: string): Promise<PairResult> {
  const result: PairResult = {
    admitted: false,
    introMs: undefined,
    reportStatuses: [],
    reportMs: [],
    error: undefined,
  };
  const url = `${serverUrl.replace(/^http/, "ws")}/tracker`;
  const addresses = [`127.1.${index % 250}.1`, `127.2.${index % 250}.1`] as const;
  const swarmKey = `${streamId}|${RENDITION}`;
  const infoHash = createHash("sha1").update(swarmKey).digest().toString("latin1");
  const viewers: Viewer[] = [];
  try {
    const [a, b] = [await open(url, addresses[0]), await open(url, addresses[1])];
    viewers.push(a, b);
    const isReply = (f: Record<string, unknown>) =>
      f.info_hash === infoHash && (f.interval !== undefined || f["failure reason"] !== undefined);
    const started = Date.now();
    b.ws.send(
      JSON.stringify({
        action: "announce",
        info_hash: infoHash,
        peer_id: b.peerId,
        event: "started",
        numwant: 0,
        swarm_key: swarmKey,
      }),
    );
    const replyB = await next(b, isReply, "announce reply for B");
    const offers = Array.from({ length: 5 }, () => ({
      offer_id: randomBytes(20).toString("latin1"),
      offer: { type: "offer", sdp: SDP },
    }));
    a.ws.send(
      JSON.stringify({
        action: "announce",
        info_hash: infoHash,
        peer_id: a.peerId,
        event: "started",
        numwant: 5,
        offers,
        swarm_key: swarmKey,
      }),
    );
    const replyA = await next(a, isReply, "announce reply for A");
    result.admitted = replyA["failure reason"] === undefined && replyB["failure reason"] === undefined;
    if (!result.admitted) throw new Error(String(replyA["failure reason"] ?? replyB["failure reason"]));
    const offer = await next(b, (f) => f.offer !== undefined && f.peer_id === a.peerId, "A's offer at B");
    b.ws.send(
      JSON.stringify({
        action: "announce",
        info_hash: infoHash,
        peer_id: b.peerId,
        to_peer_id: a.peerId,
        offer_id: offer.offer_id,
        answer: { type: "answer", sdp: SDP },
      }),
    );
    await next(a, (f) => f.answer !== undefined && f.peer_id === b.peerId, "B's answer at A");
    result.introMs = Date.now() - started;

    const session = (reply: Record<string, unknown>) => (reply.nearcast as { session: string }).session;
    const body = (
      reply: Record<string, unknown>,
      clientId: string,
      p2p: number,
      up: number,
      peer: Viewer,
    ) => ({
      v: 1,
      session: session(reply),
      reports: [
        statsReport(clientId, 1, streamId, RENDITION, { http: PAIR_BYTES, p2p, up, peer: hex(peer.peerId) }),
      ],
    });
    const tag = randomBytes(6).toString("hex");
    for (const [address, batch] of [
      [addresses[0], body(replyA, `honest-a-${tag}`, PAIR_BYTES, 0, b)],
      [addresses[1], body(replyB, `honest-b-${tag}`, 0, PAIR_BYTES, a)],
    ] as const) {
      const sent = Date.now();
      const response = await postFrom(address, `${serverUrl}/api/stats/report`, batch);
      result.reportMs.push(Date.now() - sent);
      result.reportStatuses.push(response.status);
    }
  } catch (error) {
    result.error = (error as Error).message;
  } finally {
    for (const viewer of viewers) viewer.ws.terminate();
  }
  return result;
}

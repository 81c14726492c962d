// Load-generator worker (its own process, forked by bench/tracker-load.ts): holds many WebSocket
// connections to one tracker from loopback source addresses and drives WebTorrent-protocol load.
// Every connection is one peer in one swarm; an announce carries offers, every offer received is
// answered. Commands arrive over IPC (see `Command`); each is answered with one message.
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import { fakeSdp, SOURCE_ADDRESSES } from "./load-config.js";

export type Command =
  | { type: "connect"; url: string; first: number; count: number; swarms: number }
  | { type: "join" }
  | { type: "load"; rate: number; durationMs: number; offers: number; graceMs: number }
  | { type: "close" };

export interface LoadResult {
  type: "load";
  sent: number;
  /** Announce→response latency (ms) of every announce sent in the step that was answered. */
  latenciesMs: number[];
  offersReceived: number;
  answersReceived: number;
  failures: number;
  /** Event-loop lag of this worker (ms, max over the step): a saturated generator taints the figures. */
  maxLagMs: number;
}

interface Peer {
  ws: WebSocket;
  peerId: string;
  infoHash: string;
  /** Send times of unanswered announces with their step number, oldest first. */
  pending: { atMs: number; step: number }[];
  announceFrame: string;
}

const peers: Peer[] = [];
const swarmHashes: string[] = [];
let step = 0;
let counters = { latenciesMs: [] as number[], offersReceived: 0, answersReceived: 0, failures: 0 };
const answerSdp = { type: "answer", sdp: fakeSdp("answer", 1) };

const binaryId = (): string => randomBytes(20).toString("latin1");

function onFrame(peer: Peer, text: string): void {
  if (text.includes('"interval"')) {
    const sent = peer.pending.shift();
    if (sent !== undefined && sent.step === step) counters.latenciesMs.push(performance.now() - sent.atMs);
  } else if (text.includes('"offer"')) {
    counters.offersReceived++;
    const offer = JSON.parse(text) as { peer_id: string; offer_id: string };
    peer.ws.send(
      JSON.stringify({
        action: "announce",
        info_hash: peer.infoHash,
        peer_id: peer.peerId,
        to_peer_id: offer.peer_id,
        offer_id: offer.offer_id,
        answer: answerSdp,
      }),
    );
  } else if (text.includes('"answer"')) {
    counters.answersReceived++;
  } else if (text.includes("failure reason")) {
    counters.failures++;
  }
}

function open(url: string, index: number, infoHash: string): Promise<Peer | undefined> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, {
      localAddress: SOURCE_ADDRESSES[index % SOURCE_ADDRESSES.length],
      perMessageDeflate: false,
    });
    const peer: Peer = { ws, peerId: binaryId(), infoHash, pending: [], announceFrame: "" };
    ws.on("message", (data) => onFrame(peer, String(data)));
    ws.once("open", () => resolve(peer));
    ws.once("error", () => resolve(undefined));
    ws.on("error", () => undefined);
  });
}

function announceFrame(peer: Peer, offers: number, event?: string): string {
  return JSON.stringify({
    action: "announce",
    info_hash: peer.infoHash,
    peer_id: peer.peerId,
    numwant: offers,
    uploaded: 0,
    downloaded: 0,
    left: 1,
    ...(event === undefined ? {} : { event }),
    offers: Array.from({ length: offers }, (_, i) => ({
      offer_id: binaryId(),
      offer: { type: "offer", sdp: fakeSdp("offer", i) },
    })),
  });
}

function send(peer: Peer, frame: string): void {
  if (peer.ws.readyState !== WebSocket.OPEN) return;
  peer.pending.push({ atMs: performance.now(), step });
  peer.ws.send(frame);
}

async function connect(cmd: Extract<Command, { type: "connect" }>): Promise<object> {
  while (swarmHashes.length < cmd.swarms) swarmHashes.push(binaryId());
  let failed = 0;
  const batch = 200; // handshakes in flight at once
  for (let i = 0; i < cmd.count; i += batch) {
    const opened = await Promise.all(
      Array.from({ length: Math.min(batch, cmd.count - i) }, (_, j) => {
        const index = cmd.first + i + j;
        return open(cmd.url, index, swarmHashes[index % cmd.swarms]!);
      }),
    );
    for (const peer of opened) {
      if (peer === undefined) failed++;
      else peers.push(peer);
    }
  }
  return { type: "connect", connected: peers.length, failed };
}

/** Every peer announces `started` without offers once; resolves when all are answered. */
async function join(): Promise<object> {
  step++;
  counters = { latenciesMs: [], offersReceived: 0, answersReceived: 0, failures: 0 };
  for (const peer of peers) send(peer, announceFrame(peer, 0, "started"));
  const deadline = performance.now() + 60_000;
  while (counters.latenciesMs.length < peers.length && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  return { type: "join", answered: counters.latenciesMs.length, failures: counters.failures };
}

async function load(cmd: Extract<Command, { type: "load" }>): Promise<LoadResult> {
  step++;
  counters = { latenciesMs: [], offersReceived: 0, answersReceived: 0, failures: 0 };
  for (const peer of peers) peer.announceFrame = announceFrame(peer, cmd.offers);
  let sent = 0;
  let next = Math.floor(Math.random() * peers.length);
  let maxLagMs = 0;
  const start = performance.now();
  let lastTick = start;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      maxLagMs = Math.max(maxLagMs, now - lastTick - 5);
      lastTick = now;
      const elapsed = Math.min(now - start, cmd.durationMs);
      const due = Math.floor((cmd.rate * elapsed) / 1000) - sent;
      for (let i = 0; i < due && peers.length > 0; i++) {
        const peer = peers[next]!;
        next = (next + 1) % peers.length;
        send(peer, peer.announceFrame);
        sent++;
      }
      if (now - start >= cmd.durationMs) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  await new Promise((r) => setTimeout(r, cmd.graceMs));
  return { type: "load", sent, ...counters, maxLagMs };
}

async function close(): Promise<object> {
  for (const peer of peers) peer.ws.terminate();
  peers.length = 0;
  return { type: "close" };
}

process.on("message", (cmd: Command) => {
  const run = { connect, join, load, close }[cmd.type] as (c: Command) => Promise<object>;
  run(cmd).then(
    (reply) => process.send?.(reply),
    (err: unknown) => process.send?.({ type: "error", message: String(err) }),
  );
});

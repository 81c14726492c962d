// The attacks of issue 19, each sized by its options and run from loopback addresses no honest
// viewer uses (127.0.x.y; honest pairs are on 127.1.x.1 and 127.2.x.1). Each starts, keeps up its
// pressure until `stop()`, and counts what the server answered.
import { createHash, randomBytes } from "node:crypto";
import net from "node:net";
import { WebSocket } from "ws";
import { postFrom } from "../../test/support/http-from.js";
import { statsReport } from "../../test/support/stats-reports.js";
import { RENDITION } from "./honest.js";

export interface Attack {
  /** Answers so far, e.g. `{ "401": 9000, "429": 1000 }`, or what the attack holds. */
  counts(): Record<string, number>;
  stop(): Promise<void>;
}

const GB2 = 2_000_000_000;
const SDP = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
const wsUrl = (serverUrl: string) => `${serverUrl.replace(/^http/, "ws")}/tracker`;
const bump = (counts: Record<string, number>, key: string | number) => (counts[key] = (counts[key] ?? 0) + 1);

/** A report claiming `bytes` of HTTP and as many of P2P (from `peer`, when given). */
const forgedReport = (clientId: string, seq: number, streamId: string, bytes: number, peer?: string) =>
  statsReport(clientId, seq, streamId, RENDITION, { http: bytes, p2p: bytes, ...(peer ? { peer } : {}) });

/**
 * Forged reports: `concurrency` requests at a time from two addresses, each a new clientId claiming
 * 2 GB of P2P and 2 GB of HTTP for the honest stream, without a session; plus an insider with a real
 * session (an open tracker admits anyone) posting the same claims and invented streams every 200 ms.
 */
export async function forgedReports(serverUrl: string, streamId: string, concurrency = 16): Promise<Attack> {
  const counts: Record<string, number> = {};
  let running = true;
  let n = 0;
  const flood = async (address: string) => {
    while (running) {
      const i = n++;
      const body = { v: 1, reports: [forgedReport(`forger-${i}`, 1, streamId, GB2)] };
      const response = await postFrom(address, `${serverUrl}/api/stats/report`, body).catch(() => ({
        status: 0,
      }));
      bump(counts, response.status);
    }
  };
  const insiderStream = "https://attacker.example/live/master.m3u8";
  const insider = new WebSocket(wsUrl(serverUrl), { localAddress: "127.0.201.1" });
  const peerId = randomBytes(20).toString("latin1");
  const session = await new Promise<string>((resolve, reject) => {
    insider.once("error", reject);
    insider.once("open", () =>
      insider.send(
        JSON.stringify({
          action: "announce",
          info_hash: createHash("sha1").update(`${insiderStream}|${RENDITION}`).digest().toString("latin1"),
          peer_id: peerId,
          numwant: 0,
        }),
      ),
    );
    insider.on("message", (data) => {
      const session = (JSON.parse(String(data)) as { nearcast?: { session: string } }).nearcast?.session;
      if (session !== undefined) resolve(session);
    });
  });
  let seq = 1;
  const insiderLoop = async () => {
    while (running) {
      const reports = [
        forgedReport("insider-client", seq++, insiderStream, GB2, "ee".repeat(20)),
        ...Array.from({ length: 5 }, (_, i) =>
          forgedReport("insider-client", seq++, `https://attacker.example/fake-${seq}-${i}.m3u8`, GB2),
        ),
      ];
      const response = await postFrom("127.0.201.1", `${serverUrl}/api/stats/report`, {
        v: 1,
        session,
        reports,
      }).catch(() => ({ status: 0 }));
      bump(counts, `insider ${response.status}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const loops = [
    ...Array.from({ length: concurrency }, (_, i) => flood(i % 2 === 0 ? "127.0.200.1" : "127.0.200.2")),
    insiderLoop(),
  ];
  return {
    counts: () => ({ ...counts }),
    stop: async () => {
      running = false;
      await Promise.all(loops);
      insider.terminate();
    },
  };
}

/**
 * A crowd in the honest swarm: `addresses` addresses of one /24 (127.0.150.x), `socketsPerAddress`
 * sockets each (the tracker's per-address cap is 100), `ids` peer_ids announced on each socket, every
 * announce with 2 offers. The sockets stay until `stop()`.
 */
export async function crowd(
  serverUrl: string,
  streamId: string,
  addresses: number,
  socketsPerAddress: number,
  ids: number,
): Promise<Attack> {
  const counts: Record<string, number> = {};
  const infoHash = createHash("sha1").update(`${streamId}|${RENDITION}`).digest().toString("latin1");
  const sockets: WebSocket[] = [];
  const openOne = (i: number) =>
    new Promise<WebSocket | undefined>((resolve) => {
      const ws = new WebSocket(wsUrl(serverUrl), { localAddress: `127.0.150.${(i % addresses) + 1}` });
      sockets.push(ws);
      ws.once("open", () => resolve(ws));
      ws.once("error", () => resolve(undefined));
      ws.once(
        "unexpected-response",
        (_req, res) => (bump(counts, `upgrade ${res.statusCode}`), resolve(undefined)),
      );
    });
  // 20 connects at a time per address: the server closes the oldest of more than 32 connections
  // still sending headers from one address, and this attacker wants its sockets.
  const opened: (WebSocket | undefined)[] = [];
  const total = addresses * socketsPerAddress;
  for (let i = 0; i < total; i += 20 * addresses) {
    const batch = Math.min(20 * addresses, total - i);
    opened.push(...(await Promise.all(Array.from({ length: batch }, (_, k) => openOne(i + k)))));
  }
  await Promise.all(
    opened.map(
      (ws) =>
        ws &&
        new Promise<void>((resolve) => {
          let answered = 0;
          ws.on("message", (data) => {
            const frame = JSON.parse(String(data)) as Record<string, unknown>;
            if (frame.offer !== undefined) return bump(counts, "offers received");
            if (frame.info_hash !== infoHash) return;
            bump(
              counts,
              frame["failure reason"] === undefined ? "admitted" : String(frame["failure reason"]),
            );
            if (++answered === ids) resolve();
          });
          for (let i = 0; i < ids; i++) {
            const offers = Array.from({ length: 2 }, () => ({
              offer_id: randomBytes(20).toString("latin1"),
              offer: { type: "offer", sdp: SDP },
            }));
            ws.send(
              JSON.stringify({
                action: "announce",
                info_hash: infoHash,
                peer_id: randomBytes(20).toString("latin1"),
                numwant: 2,
                offers,
              }),
            );
          }
        }),
    ),
  );
  return {
    counts: () => ({ ...counts, open: sockets.filter((ws) => ws.readyState === WebSocket.OPEN).length }),
    stop: async () => {
      for (const ws of sockets) ws.terminate();
    },
  };
}

/**
 * Half-open upgrades: `count` connections from `addresses` addresses (127.0.160.x) that send the first
 * lines of a WebSocket upgrade and then a byte every 10 s, never finishing the headers. A connection
 * the server cuts is opened again 100 ms later, so the pressure stays.
 */
export async function halfOpen(serverUrl: string, count: number, addresses: number): Promise<Attack> {
  const port = Number(new URL(serverUrl).port);
  const counts: Record<string, number> = { cut: 0 };
  let running = true;
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const connect = (address: string): Promise<void> =>
    new Promise((resolve) => {
      const socket = net.connect({ host: "127.0.0.1", port, localAddress: address });
      sockets.add(socket);
      const trickle = setInterval(() => socket.writable && socket.write("X"), 10_000);
      socket.on("error", () => undefined);
      socket.once("connect", () => {
        socket.write(
          "GET /tracker HTTP/1.1\r\nHost: nearcast\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Slow: ",
        );
        resolve();
      });
      socket.once("close", () => {
        clearInterval(trickle);
        sockets.delete(socket);
        resolve();
        if (!running) return;
        counts.cut = (counts.cut ?? 0) + 1;
        const timer = setTimeout(() => (timers.delete(timer), void connect(address)), 100);
        timers.add(timer);
      });
    });
  await Promise.all(Array.from({ length: count }, (_, i) => connect(`127.0.160.${(i % addresses) + 1}`)));
  return {
    counts: () => ({ ...counts, open: sockets.size }),
    stop: async () => {
      running = false;
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
    },
  };
}

/**
 * Slow readers: `count` tracker sockets (127.0.170.x) that stop reading and ask for scrapes of every
 * swarm 10 times a second (the per-socket rate limit), so the replies pile up toward them. A socket
 * the server cuts comes back 500 ms later. `swarms` swarms are created first so each reply is large.
 */
export async function slowReaders(serverUrl: string, count: number, swarms: number): Promise<Attack> {
  const counts: Record<string, number> = { cut: 0 };
  let running = true;
  const sockets = new Set<WebSocket>();
  const timers = new Set<NodeJS.Timeout>();
  // Swarms to make the scrape replies big: 20 per socket (maxSwarmsPerConnection).
  const seeders: WebSocket[] = [];
  for (let s = 0; s < Math.ceil(swarms / 20); s++) {
    const ws = new WebSocket(wsUrl(serverUrl), { localAddress: "127.0.171.1" });
    await new Promise((resolve) => ws.once("open", resolve));
    for (let i = 0; i < 20; i++)
      ws.send(
        JSON.stringify({
          action: "announce",
          info_hash: randomBytes(20).toString("latin1"),
          peer_id: randomBytes(20).toString("latin1"),
          numwant: 0,
        }),
      );
    seeders.push(ws);
  }
  const open = (address: string) => {
    const ws = new WebSocket(wsUrl(serverUrl), { localAddress: address });
    sockets.add(ws);
    let ask: NodeJS.Timeout | undefined;
    ws.on("error", () => undefined);
    ws.once("open", () => {
      (ws as unknown as { _socket: net.Socket })._socket.pause();
      ask = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send('{"action":"scrape"}'), 100);
    });
    ws.once("close", () => {
      clearInterval(ask);
      sockets.delete(ws);
      if (!running) return;
      counts.cut = (counts.cut ?? 0) + 1;
      const timer = setTimeout(() => (timers.delete(timer), open(address)), 500);
      timers.add(timer);
    });
  };
  for (let i = 0; i < count; i++) open(`127.0.170.${(i % 10) + 1}`);
  return {
    counts: () => ({ ...counts, open: sockets.size }),
    stop: async () => {
      running = false;
      for (const timer of timers) clearTimeout(timer);
      for (const ws of [...sockets, ...seeders]) ws.terminate();
    },
  };
}

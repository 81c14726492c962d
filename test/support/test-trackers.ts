import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createTracker, type Tracker } from "../../demo-server/src/tracker/index.js";

export interface RunningTracker {
  /** ws:// URL to give engines. */
  url: string;
  port: number;
  /** Peers currently in the swarm with this hex info-hash (0 when the swarm does not exist). */
  peersInSwarm(infoHashHex: string): number;
  stop(): Promise<void>;
}

/** The slice of bittorrent-tracker's (untyped) `Server` used here. */
interface BtServer {
  http: HttpServer;
  torrents: Record<string, { peers: { length: number } } | undefined>;
  listen(port: number, hostname: string, onListening: () => void): void;
  close(cb: () => void): void;
  on(event: "error" | "warning", listener: (error: Error) => void): void;
}

type BtServerConstructor = new (opts: {
  udp: boolean;
  http: boolean;
  ws: boolean;
  stats: boolean;
}) => BtServer;

/**
 * The reference WebTorrent tracker (`bittorrent-tracker`'s `Server`), WebSocket only, on
 * 127.0.0.1 and a free port. The package ships no types: a variable specifier keeps TypeScript
 * from demanding a module declaration (as in test/integration/tracker/bittorrent-tracker-client.ts).
 */
export async function startReferenceTracker(): Promise<RunningTracker> {
  const specifier: string = "bittorrent-tracker";
  const { Server } = (await import(specifier)) as { Server: BtServerConstructor };
  const server = new Server({ udp: false, http: false, ws: true, stats: false });
  server.on("error", () => undefined);
  server.on("warning", () => undefined);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.http.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    peersInSwarm: (infoHashHex) => server.torrents[infoHashHex]?.peers.length ?? 0,
    stop: () =>
      new Promise<void>((resolve) => {
        server.http.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Nearcast's own tracker alone (no origin), at /tracker on 127.0.0.1 and `port` (0 = any free one). */
export async function startNearcastTracker(port = 0): Promise<RunningTracker & { tracker: Tracker }> {
  const server = createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  const tracker = createTracker();
  tracker.attach(server, "/tracker");
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${bound}/tracker`,
    port: bound,
    tracker,
    peersInSwarm: (infoHashHex) =>
      tracker.stats().topSwarms.find((s) => s.infoHash === infoHashHex)?.peers ?? 0,
    async stop() {
      await tracker.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port that was free a moment ago (nothing listens on it when this resolves). */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

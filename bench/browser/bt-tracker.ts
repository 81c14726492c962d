// The reference WebTorrent tracker (bittorrent-tracker's `Server`, WebSocket only) on a loopback
// port: what p2p-media-loader is normally used with.
import type { EventEmitter } from "node:events";
import type http from "node:http";
import type { AddressInfo } from "node:net";

/** The slice of bittorrent-tracker's (untyped) `Server` used here. */
interface BtServer extends EventEmitter {
  http: http.Server | null;
  listen(port: number, hostname: string): void;
  close(cb?: () => void): void;
}

type BtServerConstructor = new (options: {
  udp: boolean;
  http: boolean;
  ws: boolean;
  stats: boolean;
}) => BtServer;

export interface BtTracker {
  /** ws:// URL to announce to. */
  url: string;
  /** Warnings and errors the server emitted (bad client messages…), for the results file. */
  problems: string[];
  close(): Promise<void>;
}

export async function startBtTracker(): Promise<BtTracker> {
  // The package ships no type declarations; a variable specifier keeps TypeScript from asking for a
  // global module declaration (as in test/integration/tracker/bittorrent-tracker-client.ts).
  const specifier: string = "bittorrent-tracker";
  const { Server } = (await import(specifier)) as { Server: BtServerConstructor };
  const server = new Server({ udp: false, http: false, ws: true, stats: false });
  const problems: string[] = [];
  server.on("warning", (error: Error) => problems.push(`warning: ${error.message}`));
  server.on("error", (error: Error) => problems.push(`error: ${error.message}`));
  await new Promise<void>((resolve, reject) => {
    server.once("listening", () => resolve());
    server.once("error", reject);
    server.listen(0, "127.0.0.1");
  });
  const address = server.http?.address() as AddressInfo | null | undefined;
  if (!address) throw new Error("bittorrent-tracker did not report its port");
  return {
    url: `ws://127.0.0.1:${address.port}`,
    problems,
    close: () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 5000);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.http?.closeAllConnections();
      }),
  };
}

// One tracker under load, in its own process so its CPU time and memory are its own. Started by
// bench/tracker-load.ts with `fork()`; answers IPC requests. argv: <kind> [redisUrl]
//   kind = nearcast | reference (bittorrent-tracker's Server, WebSocket only)
// Messages in: {type:"usage"} → {type:"usage", cpuSec, rssBytes, maxRssBytes, heapUsedBytes}
//              {type:"gc"} → {type:"gc"} (needs --expose-gc)
// Out at start: {type:"listening", url}
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createTracker } from "../../demo-server/src/tracker/index.js";
import { processUsage } from "../lib/process-usage.js";
import { BENCH_TRACKER_OPTIONS } from "./load-config.js";

type Kind = "nearcast" | "reference";
const kind = process.argv[2] as Kind;
const redisUrl = process.argv[3];

interface BtServer {
  http: Server;
  listen(port: number, hostname: string, cb: () => void): void;
  on(event: string, listener: (...args: unknown[]) => void): void;
}

async function start(): Promise<string> {
  if (kind === "reference") {
    const specifier: string = "bittorrent-tracker";
    const { Server } = (await import(specifier)) as {
      Server: new (o: { udp: boolean; http: boolean; ws: boolean; stats: boolean }) => BtServer;
    };
    const server = new Server({ udp: false, http: false, ws: true, stats: false });
    server.on("error", () => undefined);
    server.on("warning", () => undefined);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `ws://127.0.0.1:${(server.http.address() as AddressInfo).port}`;
  }
  const server = createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  const tracker = createTracker({ ...BENCH_TRACKER_OPTIONS, redisUrl });
  tracker.attach(server, "/tracker");
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/tracker`;
}

const cpuAtStart = process.cpuUsage();
process.on("message", (message: { type: string }) => {
  if (message.type === "gc") {
    (globalThis as { gc?: () => void }).gc?.();
    process.send?.({ type: "gc" });
  } else if (message.type === "usage") {
    process.send?.({ type: "usage", ...processUsage(cpuAtStart) });
  } else if (message.type === "exit") {
    process.exit(0); // flushes a --cpu-prof profile
  }
});
process.send?.({ type: "listening", url: await start() });

// Agent for slow-read-connections.slow.test.ts, run inside a network namespace whose loopback is a real
// slow link (MTU 1500, `tc` token bucket): the default server and a viewer reading through that link
// as fast as it delivers, so the kernel's buffers behave as on a 300 kbit/s path rather than as on
// the host's 64 KiB-MTU loopback. Commands: {cmd:"read", path, forMs}. Events: "ready" {url},
// "read" {bytes, length, closedByServer, ms, longestGapMs, writeStalled}.
import net from "node:net";
import { startServer } from "../../../demo-server/src/server.js";
import { emitEvent, onCommands } from "../../support/netns/ns-agent.js";

const server = await startServer({
  host: "127.0.0.1",
  port: 0,
  hlsDirs: [{ name: "big", path: process.env["BIG_DIR"]! }],
});
/** The server's side of the connection being read, to see when its bytes reach the kernel. */
let serverSide: net.Socket | undefined;
server.httpServer.prependListener("connection", (socket: net.Socket) => (serverSide = socket));
emitEvent({ event: "ready", url: server.url });

function read(urlPath: string, forMs: number): Promise<Record<string, number | boolean>> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect({ host: "127.0.0.1", port: server.port });
    let bytes = -1;
    let head = "";
    let length = Infinity;
    // Longest time the server's queued bytes did not move to the kernel: what the stall rule sees.
    let flushed = -1;
    let movedAt = Date.now();
    let longestGapMs = 0;
    const sampler = setInterval(() => {
      if (serverSide === undefined) return;
      const now = Date.now();
      const done = serverSide.bytesWritten - serverSide.writableLength;
      if (done !== flushed || serverSide.writableLength === 0) {
        flushed = done;
        movedAt = now;
      }
      longestGapMs = Math.max(longestGapMs, now - movedAt);
    }, 100);
    const finish = (closedByServer: boolean) => {
      clearTimeout(timer);
      clearInterval(sampler);
      socket.destroy();
      resolve({ bytes: Math.max(0, bytes), length, closedByServer, ms: Date.now() - started, longestGapMs });
    };
    const timer = setTimeout(() => finish(false), forMs);
    socket.on("error", () => undefined);
    socket.on("close", () => finish(true));
    socket.once("connect", () =>
      socket.write(`GET ${urlPath} HTTP/1.1\r\nHost: nearcast\r\nConnection: close\r\n\r\n`),
    );
    socket.on("data", (chunk: Buffer) => {
      if (bytes < 0) {
        head += chunk.toString("latin1");
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) return;
        length = Number(/content-length: (\d+)/i.exec(head.slice(0, end))?.[1]);
        bytes = head.length - end - 4;
      } else {
        bytes += chunk.length;
      }
      if (bytes >= length) finish(false);
    });
  });
}

async function writeStalled(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(/nearcast_server_refused_total\{reason="write_stalled"\} (\d+)/.exec(text)?.[1] ?? 0);
}

await onCommands(async (command) => {
  if (command["cmd"] !== "read") return;
  const result = await read(String(command["path"]), Number(command["forMs"]));
  emitEvent({ event: "read", path: command["path"], ...result, writeStalled: await writeStalled() });
});
await server.close();

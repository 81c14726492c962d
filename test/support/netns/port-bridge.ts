// Makes servers that listen on the host's loopback reachable from inside a run's namespaces, without
// touching the host's network: the bench's demo server, page server and trackers stay in this
// process (their counters are read directly), and an agent in the hub namespace listens on the hub
// address with the same port numbers, piping each connection through a Unix socket (a file, which
// crosses namespaces) to 127.0.0.1:<port> here.
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { NsAgent } from "./ns-agent.js";

/** How long the agent may take to start and listen (a cold `node --import tsx` on a loaded machine). */
const AGENT_TIMEOUT_MS = 30_000;

export class PortBridge {
  private readonly agent: NsAgent;
  private readonly dir = mkdtempSync(path.join(tmpdir(), "nc-bridge-"));
  private readonly servers: net.Server[] = [];
  private readonly sockets = new Set<net.Socket>();
  private readonly ports = new Set<number>();

  /** Starts the agent in namespace `ns`; it will listen on `address` (an address of that namespace). */
  constructor(
    ns: string,
    private readonly address: string,
  ) {
    this.agent = new NsAgent("port-bridge", ns, "test/support/netns/port-bridge-agent.ts");
  }

  /** After this resolves, `address:port` in the namespace reaches 127.0.0.1:port of this process. */
  async expose(port: number): Promise<void> {
    if (this.ports.has(port)) return;
    this.ports.add(port);
    const socketPath = path.join(this.dir, `${port}.sock`);
    const server = net.createServer((inbound) => {
      const upstream = net.connect(port, "127.0.0.1");
      upstream.setNoDelay(true);
      for (const socket of [inbound, upstream]) {
        this.sockets.add(socket);
        socket.on("close", () => this.sockets.delete(socket));
      }
      splice(inbound, upstream);
    });
    this.servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(socketPath, () => resolve());
    });
    this.agent.send({ cmd: "forward", address: this.address, port, socket: socketPath });
    await this.agent.waitFor(
      (event) => event.event === "forwarding" && event["port"] === port,
      AGENT_TIMEOUT_MS,
      `the port bridge to listen on ${this.address}:${port}`,
    );
  }

  /** `url` (http(s)/ws(s) on 127.0.0.1 or localhost) as seen from the namespaces: exposes its port first. */
  async reach(url: string): Promise<string> {
    const parsed = new URL(url);
    if (parsed.hostname !== "127.0.0.1" && parsed.hostname !== "localhost")
      throw new Error(`only loopback URLs can be bridged, got ${url}`);
    await this.expose(Number(parsed.port));
    parsed.hostname = this.address;
    return parsed.toString().replace(/\/$/, url.endsWith("/") ? "/" : "");
  }

  /** Stops the agent and the host side. Idempotent. */
  async close(): Promise<void> {
    await this.agent.stop();
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(
      this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
    this.servers.length = 0;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Both directions piped. A clean end is passed on by pipe() once the bytes still queued for the
 * other side are written — a shaped viewer may be seconds behind a server that has long finished
 * (and closed an idle keep-alive connection); closing at once would cut its response short. An error
 * on one side ends the other at once.
 */
export function splice(a: net.Socket, b: net.Socket): void {
  a.pipe(b);
  b.pipe(a);
  a.on("error", () => b.destroy());
  b.on("error", () => a.destroy());
}

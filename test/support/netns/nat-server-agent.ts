// Runs inside the public namespace: the demo server (tracker, origin, /api/ice) and coturn.
// Environment: NAT_SERVER_ADDRESS, NAT_TURN (1 = hand out TURN), NAT_TURN_SECRET, NAT_TMP (a folder).
// Commands: {cmd:"origin-stats"} → {event:"origin-stats", mediaBytes}; {cmd:"reset"}; {cmd:"exit"}.
import { spawn } from "node:child_process";
import path from "node:path";
import { startServer } from "../../../demo-server/src/server.js";
import { emitEvent, onCommands } from "./ns-agent.js";

const address = process.env["NAT_SERVER_ADDRESS"]!;
const secret = process.env["NAT_TURN_SECRET"]!;
const tmp = process.env["NAT_TMP"]!;
const STUN_PORT = 3478;

// coturn: STUN and TURN (UDP) on the public address, the REST-API shared secret, nothing else.
const coturn = spawn(
  "turnserver",
  [
    "-n",
    `--listening-ip=${address}`,
    `--relay-ip=${address}`,
    `--listening-port=${STUN_PORT}`,
    "--min-port=50000",
    "--max-port=50999",
    "--use-auth-secret",
    `--static-auth-secret=${secret}`,
    "--realm=nearcast.test",
    "--fingerprint",
    "--no-cli",
    "--no-tls",
    "--no-dtls",
    "--no-tcp-relay",
    `--pidfile=${path.join(tmp, "turnserver.pid")}`,
    `--userdb=${path.join(tmp, "turndb")}`,
    "--log-file=stdout",
    "--simple-log",
    // Session open/close and usage lines (not per packet): the usage lines give the TURN egress.
    "--verbose",
  ],
  { stdio: ["ignore", "pipe", "pipe"] },
);
let coturnLog = "";
/** Bytes coturn relayed, from the usage lines it logs when a session closes (its egress). */
const relayed = { toClientsBytes: 0, toPeersBytes: 0, sessions: 0 };
let partialLine = "";
const keepLog = (chunk: Buffer) => {
  coturnLog = (coturnLog + chunk.toString()).slice(-20_000);
  const lines = (partialLine + chunk.toString()).split("\n");
  partialLine = lines.pop() ?? "";
  for (const line of lines) {
    const sent = /\bsb=(\d+)/.exec(line);
    if (!sent || !/usage: realm/.test(line)) continue;
    if (/peer usage:/.test(line)) relayed.toPeersBytes += Number(sent[1]);
    else {
      relayed.toClientsBytes += Number(sent[1]);
      relayed.sessions++;
    }
  }
};
coturn.stdout.on("data", keepLog);
coturn.stderr.on("data", keepLog);
coturn.on("exit", (code) => emitEvent({ event: "coturn-exit", code, log: coturnLog.slice(-2000) }));

const server = await startServer({
  host: address,
  port: 0,
  ice: {
    stunUrls: [`stun:${address}:${STUN_PORT}`],
    turnUrls: process.env["NAT_TURN"] === "1" ? [`turn:${address}:${STUN_PORT}?transport=udp`] : [],
    turnSecret: process.env["NAT_TURN"] === "1" ? secret : undefined,
    turnTtlSec: 600,
  },
  // The experiment's viewers hold no join tokens: TURN is open on purpose in this closed network.
  turnOpen: true,
});
emitEvent({ event: "listening", url: server.url, stunUrl: `stun:${address}:${STUN_PORT}` });

await onCommands((command) => {
  switch (command["cmd"]) {
    case "origin-stats":
      return emitEvent({
        event: "origin-stats",
        id: command["id"],
        mediaBytes: server.origin.getStats().totals.mediaBytes,
      });
    case "reset":
      server.origin.resetStats();
      return emitEvent({ event: "reset", id: command["id"] });
    case "turn-usage":
      return emitEvent({ event: "turn-usage", id: command["id"], ...relayed });
    case "turn-log":
      return emitEvent({ event: "turn-log", id: command["id"], log: coturnLog });
  }
});
coturn.kill();
await server.close();
process.exit(0);

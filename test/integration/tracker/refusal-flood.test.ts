// Issue 24, hostile side: refusals are explained by opening the WebSocket and closing it with a reason,
// which costs a socket for a moment. An attacker who sends refused upgrades and never answers the close
// frame must not hold more than MAX_EXPLAINED_REFUSALS sockets (beyond them the answer is a plain HTTP
// 401), none for longer than EXPLAINED_REFUSAL_TIMEOUT_MS; a viewer with a token gets in during it.
import { randomBytes } from "node:crypto";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintJoinToken } from "../../../demo-server/src/net/join-token.js";
import {
  EXPLAINED_REFUSAL_TIMEOUT_MS,
  MAX_EXPLAINED_REFUSALS,
} from "../../../demo-server/src/tracker/refusal.js";
import { waitFor } from "../../support/wait-for.js";
import { connect, refusalOf, startTracker, type TrackerHarness } from "./helpers.js";

const SECRET = "refusal-flood-test-secret-0123456789";
const EXTRA = 20;

let h: TrackerHarness;
const sockets: net.Socket[] = [];

beforeAll(async () => {
  h = await startTracker({ joinTokenSecret: SECRET });
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await h.stop();
});

/** A raw upgrade without a token that never answers the close frame (it reads and drops the rest). */
function silentUpgrade(port: number): Promise<{ status: string; closed: () => boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    sockets.push(socket);
    let closed = false;
    socket.once("close", () => (closed = true));
    socket.once("error", reject);
    socket.once("data", (chunk: Buffer) => {
      resolve({ status: chunk.toString("latin1").split(" ")[1] ?? "", closed: () => closed });
      socket.on("data", () => undefined);
    });
    socket.write(
      "GET /tracker HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
  });
}

describe("a flood of refused upgrades", () => {
  it("holds at most MAX_EXPLAINED_REFUSALS sockets, each briefly, and lets a viewer with a token in", async () => {
    const answers = await Promise.all(
      Array.from({ length: MAX_EXPLAINED_REFUSALS + EXTRA }, () => silentUpgrade(h.port)),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === "101")).toHaveLength(MAX_EXPLAINED_REFUSALS);
    expect(statuses.filter((s) => s === "401")).toHaveLength(EXTRA);
    expect(h.tracker.stats().connectionsRejected.token_missing).toBe(MAX_EXPLAINED_REFUSALS + EXTRA);

    // During the flood an honest viewer connects and is served.
    const token = mintJoinToken({ secret: SECRET, streams: ["https://cdn.example/live.m3u8"], ttlSec: 60 });
    const viewer = await connect(`${h.url}?token=${encodeURIComponent(token)}`);
    await viewer.close();

    // The silent sockets are closed by the tracker within the timeout, and refusals are explained again.
    const started = Date.now();
    await waitFor(
      () => answers.every((a) => a.closed()),
      EXPLAINED_REFUSAL_TIMEOUT_MS + 3_000,
      "the tracker to close every silent refused socket",
    );
    console.log(`[refusal-flood] silent refused sockets closed ${Date.now() - started} ms after the flood`);
    expect(await refusalOf(h.url)).toBe("4401 token_missing");
  });
});

/**
 * One tracker instance as its own process (`node --import tsx tracker-instance.ts`), so a test can
 * kill it like a crashed machine. Prints `{"port":N}` on stdout once listening. Settings:
 * TRACKER_REDIS_URL (required), TRACKER_OPTIONS (JSON of TrackerOptions overrides).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createTracker } from "../../demo-server/src/tracker/index.js";

const redisUrl = process.env["TRACKER_REDIS_URL"];
if (redisUrl === undefined) throw new Error("TRACKER_REDIS_URL is required");
const overrides = JSON.parse(process.env["TRACKER_OPTIONS"] ?? "{}") as Record<string, number>;

const server = createServer((_req, res) => {
  res.statusCode = 404;
  res.end();
});
const tracker = createTracker({ ...overrides, redisUrl });
tracker.attach(server, "/tracker");
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});

// Shared set-up for the origin integration tests: a real server on a free loopback port with a fake
// live clock, and a raw HTTP client for URLs that fetch() would normalise (`/streams/../x`).
import { readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { DEFAULT_MEDIA_DIR } from "../../../demo-server/src/config.js";
import type { ServerOptions } from "../../../demo-server/src/config.js";
import { startServer } from "../../../demo-server/src/server.js";
import type { OriginStatsSnapshot, RunningServer } from "../../../demo-server/src/server.js";

export interface TestOrigin {
  server: RunningServer;
  /** The live clock (epoch ms); tests move it forward. */
  clock: { now: number };
  get(urlPath: string, init?: RequestInit): Promise<Response>;
  stats(): Promise<OriginStatsSnapshot>;
  resetStats(): Promise<void>;
}

export const CLOCK_START_MS = Date.UTC(2025, 0, 1, 12, 0, 0);

/** The operator's admin secret of test origins: resetting the counters needs it. */
export const ADMIN_SECRET = "origin-harness-admin-secret";
export const ADMIN_HEADERS = { Authorization: `Bearer ${ADMIN_SECRET}` };

export async function startTestOrigin(options: Partial<ServerOptions> = {}): Promise<TestOrigin> {
  const clock = { now: CLOCK_START_MS };
  const server = await startServer({
    host: "127.0.0.1",
    port: 0,
    clock: () => clock.now,
    adminSecret: ADMIN_SECRET,
    ...options,
  });
  const get = (urlPath: string, init?: RequestInit) => fetch(`${server.url}${urlPath}`, init);
  return {
    server,
    clock,
    get,
    stats: async () => (await (await get("/api/origin/stats")).json()) as OriginStatsSnapshot,
    resetStats: async () => {
      const response = await get("/api/origin/stats/reset", { method: "POST", headers: ADMIN_HEADERS });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`reset refused: HTTP ${response.status}`);
    },
  };
}

/** Bytes of a file of the committed demo media, e.g. `demo/360p/seg-00001.ts`. */
export function mediaFile(relativePath: string): Buffer {
  return readFileSync(path.join(DEFAULT_MEDIA_DIR, relativePath));
}

/** A request whose path goes out exactly as written (no URL normalisation). */
export function rawGet(port: number, rawPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: "127.0.0.1", port, path: rawPath, method: "GET" }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
      );
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end();
  });
}
